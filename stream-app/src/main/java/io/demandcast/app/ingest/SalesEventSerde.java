package io.demandcast.app.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Bytes of a {@link SalesEvent} on the app's internal repartition topic. Internal topics are read only by this
 * app, so they need no registry: a fixed layout named by its first byte is enough and costs no lookup per record.
 * Layout 1 is a sale (the only layout before watermarks, so records written by an older version still read),
 * layout 2 a watermark.
 */
public final class SalesEventSerde implements Serde<SalesEvent> {

    static final byte SALE_V1 = 1;
    static final byte WATERMARK_V1 = 2;

    @Override
    public Serializer<SalesEvent> serializer() {
        return (topic, event) -> {
            if (event == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
                DataOutputStream out = new DataOutputStream(bytes);
                if (event instanceof SeriesSale sale) {
                    writeSale(out, sale);
                } else {
                    OriginWatermark w = (OriginWatermark) event;
                    out.writeByte(WATERMARK_V1);
                    out.writeInt(w.originPartition());
                    out.writeLong(w.eventTime());
                    out.writeBoolean(w.idle());
                }
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot write " + event + " for " + topic, e);
            }
        };
    }

    private static void writeSale(DataOutputStream out, SeriesSale sale) throws IOException {
        out.writeByte(SALE_V1);
        out.writeUTF(sale.series());
        out.writeLong(sale.eventTime());
        out.writeDouble(sale.units());
        out.writeDouble(sale.revenue());
        out.writeDouble(sale.soldUnits());
        out.writeDouble(sale.soldRevenue());
        Origin o = sale.origin();
        out.writeUTF(o.topic());
        out.writeInt(o.partition());
        out.writeLong(o.offset());
        out.writeBoolean(o.key() != null);
        if (o.key() != null) {
            out.writeUTF(o.key());
        }
    }

    @Override
    public Deserializer<SalesEvent> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte layout = in.readByte();
                if (layout == WATERMARK_V1) {
                    return new OriginWatermark(in.readInt(), in.readLong(), in.readBoolean());
                }
                if (layout != SALE_V1) {
                    throw new SerializationException("record on " + topic + ": expected layout " + SALE_V1
                            + " (sale) or " + WATERMARK_V1 + " (watermark), got " + layout);
                }
                String series = in.readUTF();
                long t = in.readLong();
                double units = in.readDouble();
                double revenue = in.readDouble();
                double soldUnits = in.readDouble();
                double soldRevenue = in.readDouble();
                String originTopic = in.readUTF();
                int partition = in.readInt();
                long offset = in.readLong();
                String key = in.readBoolean() ? in.readUTF() : null;
                return new SeriesSale(series, t, units, revenue, soldUnits, soldRevenue,
                        new Origin(originTopic, partition, offset, key));
            } catch (IOException e) {
                throw new SerializationException("record on " + topic + ": " + data.length
                        + " bytes hold neither a series sale nor a watermark", e);
            }
        };
    }
}
