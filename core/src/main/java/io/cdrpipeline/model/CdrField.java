package io.cdrpipeline.model;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A field of a Voice Connector CDR that the product knows by name, with the type it must have.
 * Fields not listed here are still kept: they become new nullable columns.
 */
public enum CdrField {
  AWS_ACCOUNT_ID("AwsAccountId", ColumnType.VARCHAR),
  TRANSACTION_ID("TransactionId", ColumnType.VARCHAR),
  CALL_ID("CallId", ColumnType.VARCHAR),
  VOICE_CONNECTOR_ID("VoiceConnectorId", ColumnType.VARCHAR),
  STATUS("Status", ColumnType.VARCHAR),
  STATUS_MESSAGE("StatusMessage", ColumnType.VARCHAR),
  BILLABLE_DURATION_SECONDS("BillableDurationSeconds", ColumnType.BIGINT),
  BILLABLE_DURATION_MINUTES("BillableDurationMinutes", ColumnType.DOUBLE),
  SCHEMA_VERSION("SchemaVersion", ColumnType.VARCHAR),
  SOURCE_PHONE_NUMBER("SourcePhoneNumber", ColumnType.VARCHAR),
  SOURCE_PHONE_NUMBER_NAME("SourcePhoneNumberName", ColumnType.VARCHAR),
  SOURCE_COUNTRY("SourceCountry", ColumnType.VARCHAR),
  DESTINATION_PHONE_NUMBER("DestinationPhoneNumber", ColumnType.VARCHAR),
  DESTINATION_PHONE_NUMBER_NAME("DestinationPhoneNumberName", ColumnType.VARCHAR),
  DESTINATION_COUNTRY("DestinationCountry", ColumnType.VARCHAR),
  USAGE_TYPE("UsageType", ColumnType.VARCHAR),
  SERVICE_CODE("ServiceCode", ColumnType.VARCHAR),
  DIRECTION("Direction", ColumnType.VARCHAR),
  START_TIME_EPOCH_SECONDS("StartTimeEpochSeconds", ColumnType.BIGINT),
  END_TIME_EPOCH_SECONDS("EndTimeEpochSeconds", ColumnType.BIGINT),
  REGION("Region", ColumnType.VARCHAR),
  STREAMING("Streaming", ColumnType.BOOLEAN),
  IS_PROXY_CALL("IsProxyCall", ColumnType.BOOLEAN),
  SIP_AUTH_USER("SipAuthUser", ColumnType.VARCHAR);

  private static final Map<String, CdrField> BY_NAME =
      List.of(values()).stream()
          .collect(Collectors.toUnmodifiableMap(CdrField::jsonName, Function.identity()));
  private static final Map<String, CdrField> BY_LOWER_NAME =
      List.of(values()).stream()
          .collect(Collectors.toUnmodifiableMap(CdrField::column, Function.identity()));

  private final String jsonName;
  private final ColumnType type;

  CdrField(String jsonName, ColumnType type) {
    this.jsonName = jsonName;
    this.type = type;
  }

  /** The field's name in the JSON record, e.g. {@code CallId}. */
  public String jsonName() {
    return jsonName;
  }

  /** The column name in the tables: the JSON name in lower case, e.g. {@code callid}. */
  public String column() {
    return jsonName.toLowerCase(Locale.ROOT);
  }

  public ColumnType type() {
    return type;
  }

  /** True for the fields a record cannot be processed without. */
  public boolean required() {
    return this == CALL_ID || this == START_TIME_EPOCH_SECONDS;
  }

  /** The known field with this JSON name, compared case-insensitively, or null. */
  public static CdrField byName(String jsonName) {
    CdrField exact = BY_NAME.get(jsonName);
    return exact != null ? exact : BY_LOWER_NAME.get(jsonName.toLowerCase(Locale.ROOT));
  }
}
