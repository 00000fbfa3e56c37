/**
 * The {@code forecaster} command line: {@link io.demandcast.app.cli.ForecasterCli} is the root command and the one
 * place where subcommands are registered.
 */
package io.demandcast.app.cli;
