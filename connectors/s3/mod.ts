/**
 * The `s3` connector: objects of Amazon S3 buckets, or of any S3-compatible service through the
 * `endpoint` option (the reference's "Amazon S3" connector, plus that option). It talks to S3
 * with its own small SigV4 client (`client.ts`), not an AWS SDK.
 *
 * The reference's `use_text_extraction_service` toggle is left out: this service has no
 * extraction service, content goes to the ingest pipeline as `_attachment`.
 * @module
 */
import type { ConnectorType } from "../../lib/source/types.ts";
import { S3Source } from "./source.ts";

export { S3Client, type S3ClientOptions, S3Error } from "./client.ts";

/** The `s3` connector type. */
export const s3Connector: ConnectorType = {
  serviceType: "s3",
  name: "Amazon S3",
  configSchema: {
    buckets: {
      display: "textarea",
      label: "AWS Buckets",
      order: 1,
      tooltip: "AWS Buckets are ignored when Advanced Sync Rules are used.",
      type: "list",
    },
    aws_access_key_id: { label: "AWS Access Key Id", order: 2, type: "str" },
    aws_secret_access_key: { label: "AWS Secret Key", order: 3, sensitive: true, type: "str" },
    read_timeout: {
      default_value: 90,
      display: "numeric",
      label: "Read timeout",
      order: 4,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    connect_timeout: {
      default_value: 90,
      display: "numeric",
      label: "Connection timeout",
      order: 5,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    max_attempts: {
      default_value: 5,
      display: "numeric",
      label: "Maximum retry attempts",
      order: 6,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    page_size: {
      default_value: 100,
      display: "numeric",
      label: "Maximum size of page",
      order: 7,
      required: false,
      type: "int",
      ui_restrictions: ["advanced"],
    },
    endpoint: {
      default_value: "",
      label: "S3 endpoint",
      order: 8,
      required: false,
      tooltip: "Base URL of an S3-compatible service (MinIO, Ceph, S3Proxy...), e.g. " +
        "http://minio.local:9000; requests then use path-style addressing. " +
        "Leave empty for Amazon S3.",
      type: "str",
    },
  },
  features: {
    basicRules: true,
    advancedRules: true,
    documentLevelSecurity: false,
    incrementalSync: false,
  },
  create: (options) => new S3Source(options),
};
