/** Reading sales files (long-format CSV, optionally gzipped) into gap-free {@link io.demandcast.model.SeriesHistory}s. */
package io.demandcast.model.data;
