package io.leakwatch.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One page of a SOQL query's result, as the REST API answers it.
 *
 * @param totalSize rows the whole query matched (all pages)
 * @param done whether this is the last page
 * @param nextRecordsUrl the path of the next page (e.g. {@code
 *     /services/data/v62.0/query/01g…-2000}) when not done, else null
 * @param serverTime the server's clock when it answered (its HTTP {@code Date}, whole seconds,
 *     epoch millis), or 0 when it sent none
 */
public record QueryPage(
    List<JsonNode> records, long totalSize, boolean done, String nextRecordsUrl, long serverTime) {
  public QueryPage {
    records = List.copyOf(records);
  }
}
