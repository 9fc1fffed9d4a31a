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
  /** Salesforce's limit for one event; anything larger did not come from a well-behaved bus. */
  public static final int MAX_PAYLOAD_BYTES = 1024 * 1024;

  static {
    // A corrupted length prefix must fail fast, not allocate gigabytes. No field of a 1 MB event
    // can be
    // longer than the event; respect limits an operator has set explicitly.
    limit("org.apache.avro.limits.string.maxLength", MAX_PAYLOAD_BYTES);
    limit("org.apache.avro.limits.bytes.maxLength", MAX_PAYLOAD_BYTES);
    limit("org.apache.avro.limits.collectionItems.maxLength", MAX_PAYLOAD_BYTES);
  }

  private static void limit(String property, int value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }

  private final SchemaCache schemas;
  private final Map<Schema, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

  public PayloadDecoder(SchemaCache schemas) {
    this.schemas = schemas;
  }

  public GenericRecord decode(String schemaId, byte[] payload)
      throws MalformedPayloadException, SchemaCache.UnknownSchemaException {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new MalformedPayloadException(
          "payload of "
              + payload.length
              + " bytes exceeds the "
              + MAX_PAYLOAD_BYTES
              + "-byte event limit");
    }
    if (payload.length == 0) {
      throw new MalformedPayloadException("payload is empty");
    }
    Schema schema = schemas.get(schemaId);
    GenericDatumReader<GenericRecord> reader =
        readers.computeIfAbsent(schema, GenericDatumReader::new);
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
    GenericRecord record;
    try {
      record = reader.read(null, decoder);
    } catch (IOException
        | AvroRuntimeException
        | IndexOutOfBoundsException
        | NegativeArraySizeException e) {
      throw new MalformedPayloadException(
          "payload does not decode with schema "
              + schemaId
              + ": "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
    try {
      if (!decoder.isEnd()) {
        throw new MalformedPayloadException(
            "payload has trailing bytes after the record (schema " + schemaId + ")");
      }
    } catch (IOException e) {
      throw new MalformedPayloadException(
          "payload could not be checked for trailing bytes: " + e.getMessage());
    }
    return record;
  }

  /**
   * A payload that is not a valid datum of its writer schema. The message never contains payload
   * bytes.
   */
  public static final class MalformedPayloadException extends Exception {
    public MalformedPayloadException(String message) {
      super(message);
    }
  }
}
