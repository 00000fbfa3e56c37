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
 * Bytes of a {@link SeriesSale} on the app's internal repartition topic. Internal topics are read only by this
 * app, so they need no registry: a versioned fixed layout is enough and costs no lookup per record.
 */
public final class SeriesSaleSerde implements Serde<SeriesSale> {

    private static final byte VERSION = 1;

    @Override
    public Serializer<SeriesSale> serializer() {
        return (topic, sale) -> {
            if (sale == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(VERSION);
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
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot write series sale of " + sale.series(), e);
            }
        };
    }

    @Override
    public Deserializer<SeriesSale> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                byte version = in.readByte();
                if (version != VERSION) {
                    throw new SerializationException("series sale on " + topic + ": expected layout version "
                            + VERSION + ", got " + version);
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
                throw new SerializationException("series sale on " + topic + ": " + data.length
                        + " bytes do not hold a series sale", e);
            }
        };
    }
}
