package io.leakwatch.pubsub;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes a Pub/Sub payload: a bare Avro binary datum (no container header) written with the schema
 * named by the event's schema id. Pub/Sub never validates payloads, so anything may arrive here.
 */
public final class PayloadDecoder {
  private final SchemaCache schemas;
  private final Map<Schema, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

  public PayloadDecoder(SchemaCache schemas) {
    this.schemas = schemas;
  }

  public GenericRecord decode(String schemaId, byte[] payload) throws MalformedPayloadException, SchemaCache.UnknownSchemaException {
    Schema schema = schemas.get(schemaId);
    GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(schema, GenericDatumReader::new);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
    GenericRecord record;
    try {
      record = reader.read(null, decoder);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new MalformedPayloadException("payload does not decode with schema " + schemaId + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    try {
      if (!decoder.isEnd()) {
        throw new MalformedPayloadException("payload has trailing bytes after the record (schema " + schemaId + ")");
      }
    } catch (IOException e) {
      throw new MalformedPayloadException("payload could not be checked for trailing bytes: " + e.getMessage());
    }
    return record;
  }

  /** A payload that is not a valid datum of its writer schema. The message never contains payload bytes. */
  public static final class MalformedPayloadException extends Exception {
    public MalformedPayloadException(String message) {
      super(message);
    }
  }
}
