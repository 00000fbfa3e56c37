package io.demandcast.app.web;

/** Finds the latest forecast of a series, wherever it is kept. */
@FunctionalInterface
public interface ForecastLookup {

    /**
     * @param localOnly answer from this instance's stores alone (the form one instance asks another in), never
     *                  forwarding the question
     */
    Answer latest(String series, boolean localOnly);

    /** An answer with its HTTP status and a JSON body. */
    record Answer(int status, String json) {
        public static Answer found(String json) {
            return new Answer(200, json);
        }
    }
}
