/** The Demandcast streaming application and its command line. */
package io.demandcast.app;
