package io.demandcast.app.ingest;

/**
 * A record of the repartition topic {@code sales-by-series}: a sale of one series (keyed by series, so it reaches the
 * aggregating task of that series), or a watermark of one intake task (sent to every aggregating task).
 */
public sealed interface SalesEvent permits SeriesSale, OriginWatermark {
}
