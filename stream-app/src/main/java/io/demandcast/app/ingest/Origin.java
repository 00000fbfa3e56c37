package io.demandcast.app.ingest;

/** Where a record was read: written into dead letters so an operator can find and replay it. */
public record Origin(String topic, int partition, long offset, String key) {

    public static final Origin UNKNOWN = new Origin("unknown", -1, -1L, null);

    public Origin withKey(String k) {
        return new Origin(topic, partition, offset, k);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
