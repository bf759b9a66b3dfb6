package io.cdrpipeline.table;

import io.cdrpipeline.store.S3Store;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.aws.AwsClientFactory;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.AwsProperties;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The AWS clients Iceberg's GlueCatalog gets ({@code client.factory}): a Glue client on the
 * product's Apache 5 HTTP client (Iceberg's default factory wants the Apache 4 one, which the
 * product does not ship), honouring Iceberg's {@code glue.endpoint}, {@code client.region} and
 * {@code client.credentials-provider}. The table's files never go through these clients.
 */
public final class GlueClients implements AwsClientFactory {
  private static final long serialVersionUID = 1L;

  private Map<String, String> properties = Map.of();

  /** For Iceberg, which makes it by class name and then calls {@link #initialize}. */
  public GlueClients() {}

  @Override
  public void initialize(Map<String, String> props) {
    this.properties = Map.copyOf(props);
  }

  @Override
  public GlueClient glue() {
    AwsProperties aws = new AwsProperties(properties);
    AwsClientProperties client = new AwsClientProperties(properties);
    String region = properties.get(AwsClientProperties.CLIENT_REGION);
    // the one retry layer of a request, as for S3 (Iceberg's commit retries sit above it)
    return S3Store.apiClient(GlueClient.builder(), Duration.ofMinutes(5))
        .region(Region.of(region == null || region.isBlank() ? S3Store.defaultRegion() : region))
        .applyMutation(aws::applyGlueEndpointConfigurations)
        .applyMutation(client::applyClientCredentialConfigurations)
        .build();
  }

  @Override
  public S3Client s3() {
    throw notHere("S3");
  }

  @Override
  public S3AsyncClient s3Async() {
    throw notHere("S3");
  }

  @Override
  public KmsClient kms() {
    throw notHere("KMS");
  }

  @Override
  public DynamoDbClient dynamo() {
    throw notHere("DynamoDB");
  }

  private static UnsupportedOperationException notHere(String service) {
    return new UnsupportedOperationException(
        "the Glue catalog of the processed table makes no "
            + service
            + " client: the table's files go through the product's FileIO, and Glue's own version check locks commits");
  }
}
