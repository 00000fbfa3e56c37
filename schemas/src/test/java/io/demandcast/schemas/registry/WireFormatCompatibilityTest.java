package io.demandcast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.schemas.avro.OrderEvent;
import io.demandcast.schemas.avro.SalesBucket;
import io.demandcast.schemas.testkit.KafkaBroker;
import io.demandcast.schemas.testkit.RegistryServer;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * Our bytes are the Confluent wire format: another client reads them with nothing but a REST lookup of the id
 * and Avro's generic reader, and we read what such a client writes.
 */
class WireFormatCompatibilityTest {

    private static final String URL = RegistryServer.shared().url();
    private static final AvroSerdes SERDES = new AvroSerdes(SerdeConfig.of(URL));

    @Test
    void ourBytesAreMagicByteSchemaIdAndAvroThatAGenericReaderDecodes() {
        String topic = KafkaBroker.uniqueTopic("orders");
        OrderEvent order = SampleRecords.order();

        byte[] bytes = SERDES.forValue(OrderEvent.class).serializer().serialize(topic, order);

        assertThat(bytes[0]).as("magic byte").isZero();
        assertThat(WireBytes.idOf(bytes)).isEqualTo(SERDES.registry().idOf(topic + "-value", order.getSchema()));
        GenericRecord generic = WireBytes.readGeneric(URL, bytes);
        assertThat(generic.get("orderId")).hasToString("581587");
        assertThat(generic.get("eventTime")).isEqualTo(order.getEventTime().toEpochMilli());
        assertThat(generic.get("customerId")).hasToString("12680");
        assertThat(generic.get("channel")).isNull();
        assertThat(generic.get("type")).hasToString("SALE");
        @SuppressWarnings("unchecked")
        List<GenericRecord> lines = (List<GenericRecord>) generic.get("lines");
        assertThat(lines).extracting(line -> line.get("productId").toString()).containsExactly("22613", "POST");
        assertThat(lines).extracting(line -> line.get("quantity")).containsExactly(12.0, 1.0);
    }

    @Test
    void weReadWhatAPlainConfluentStyleWriterWrote() {
        String topic = KafkaBroker.uniqueTopic("sales-actuals");
        int id = WireBytes.register(URL, topic + "-value", SalesBucket.getClassSchema());
        GenericRecord bucket = new GenericData.Record(SalesBucket.getClassSchema());
        SalesBucket expected = SampleRecords.salesBucket();
        bucket.put("series", expected.getSeries());
        bucket.put("bucketStart", expected.getBucketStart().toEpochMilli());
        bucket.put("bucketEnd", expected.getBucketEnd().toEpochMilli());
        bucket.put("units", expected.getUnits());
        bucket.put("revenue", expected.getRevenue());
        bucket.put("orderCount", expected.getOrderCount());
        bucket.put("meanPrice", expected.getMeanPrice());
        bucket.put("zeroFilled", expected.getZeroFilled());

        SalesBucket read = SERDES.forValue(SalesBucket.class).deserializer()
                .deserialize(topic, WireBytes.frame(id, SalesBucket.getClassSchema(), bucket));

        assertThat(read).isEqualTo(expected);
    }
}
