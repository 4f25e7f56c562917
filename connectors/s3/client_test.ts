import assert from "node:assert/strict";
import { parseObjectPage, S3Client, type S3Error } from "./client.ts";

const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };

/** A local HTTP server answering from `answer`, recording what it received. */
function recordingServer(answer: (index: number) => Response) {
  const requests: { url: string; authorization: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    requests.push({ url: request.url, authorization: request.headers.get("authorization") ?? "" });
    return answer(requests.length - 1);
  });
  return { endpoint: `http://127.0.0.1:${server.addr.port}`, requests, server };
}

const EMPTY_LISTING = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";

Deno.test("client sends path-style, signed requests under the endpoint's base path", async () => {
  const { endpoint, requests, server } = recordingServer(() => new Response(EMPTY_LISTING));
  try {
    const client = new S3Client({ credentials, endpoint: `${endpoint}/s3/`, maxRetries: 0 });
    await client.listObjects({
      bucket: "my-bucket",
      prefix: "a b+c/",
      pageSize: 7,
      continuationToken: "tok/en+=",
    });
    const url = new URL(requests[0].url);
    assert.equal(url.pathname, "/s3/my-bucket");
    assert.equal(
      url.search,
      "?list-type=2&fetch-owner=true&prefix=a%20b%2Bc%2F&max-keys=7&continuation-token=tok%2Fen%2B%3D",
    );
    assert.match(
      requests[0].authorization,
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    await client.forRegion("eu-west-3").getObject({ bucket: "my-bucket", key: "dir/x (1).txt" });
    assert.equal(new URL(requests[1].url).pathname, "/s3/my-bucket/dir/x%20%281%29.txt");
    assert.match(requests[1].authorization, /\/eu-west-3\/s3\/aws4_request/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("client retries 5xx and SlowDown with backoff, not AccessDenied", async () => {
  const slowDown =
    "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>";
  const { endpoint, requests, server } = recordingServer((index) =>
    index === 0
      ? new Response("oops", { status: 500 })
      : index === 1
      ? new Response(slowDown, { status: 503 })
      : index === 2
      ? new Response("<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>")
      : new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 })
  );
  try {
    const client = new S3Client({ credentials, endpoint, maxRetries: 3, backoffMs: 5 });
    assert.deepEqual(await client.listBuckets(), []);
    assert.equal(requests.length, 3);
    await assert.rejects(client.listBuckets(), (error: S3Error) => {
      assert.equal(error.code, "AccessDenied");
      assert.match(error.message, /access denied for ListBuckets: grant the access key/);
      return true;
    });
    assert.equal(requests.length, 4);
  } finally {
    await server.shutdown();
  }
});

Deno.test("client gives up after max retries with S3's own message", async () => {
  const { endpoint, requests, server } = recordingServer(() =>
    new Response(
      "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
      {
        status: 500,
      },
    )
  );
  try {
    const client = new S3Client({ credentials, endpoint, maxRetries: 2, backoffMs: 5 });
    await assert.rejects(client.listObjects({ bucket: "b-b-b" }), (error: Error) => {
      assert.equal(
        error.message,
        `${endpoint}: ListObjectsV2 on bucket "b-b-b" failed: ` +
          "InternalError (We encountered an internal error.), HTTP 500",
      );
      return true;
    });
    assert.equal(requests.length, 3);
  } finally {
    await server.shutdown();
  }
});

Deno.test("client times out a silent server after connect + read timeouts", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const connection of listener) connections.push(connection);
  })();
  try {
    const client = new S3Client({
      credentials,
      endpoint: `http://127.0.0.1:${listener.addr.port}`,
      connectTimeoutMs: 100,
      readTimeoutMs: 100,
      maxRetries: 1,
      backoffMs: 5,
    });
    const started = Date.now();
    await assert.rejects(client.listBuckets(), (error: S3Error) => {
      assert.equal(error.code, "Timeout");
      assert.match(error.message, /did not answer ListBuckets within 0.2 s: raise 'Read timeout'/);
      return true;
    });
    assert.ok(Date.now() - started >= 400);
    assert.equal(connections.length, 2);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const connection of connections) connection.close();
  }
});

Deno.test("client aborts at once when the caller's signal aborts", async () => {
  const { endpoint, server } = recordingServer(() => new Response("x", { status: 500 }));
  try {
    const client = new S3Client({ credentials, endpoint, maxRetries: 5, backoffMs: 10_000 });
    const controller = new AbortController();
    const pending = client.listBuckets(controller.signal);
    setTimeout(() => controller.abort(new Error("job cancelled")), 50);
    await assert.rejects(pending, /job cancelled/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("parseObjectPage reads objects, owners and the continuation token", () => {
  const page = parseObjectPage(`<ListBucketResult>
    <IsTruncated>true</IsTruncated><NextContinuationToken>next+/=</NextContinuationToken>
    <Contents><Key>a &amp; b.txt</Key><LastModified>2024-05-01T10:20:30Z</LastModified>
      <ETag>"e"</ETag><Size>12</Size><StorageClass>GLACIER</StorageClass>
      <Owner><ID>1</ID><DisplayName>me</DisplayName></Owner></Contents>
    <Contents><Key>dir/</Key><LastModified>2024-05-01T10:20:30.123Z</LastModified><Size>0</Size></Contents>
  </ListBucketResult>`);
  assert.deepEqual(page, {
    objects: [
      {
        key: "a & b.txt",
        lastModified: "2024-05-01T10:20:30.000Z",
        size: 12,
        etag: '"e"',
        storageClass: "GLACIER",
        ownerDisplayName: "me",
      },
      {
        key: "dir/",
        lastModified: "2024-05-01T10:20:30.123Z",
        size: 0,
        etag: "",
        storageClass: "",
        ownerDisplayName: "",
      },
    ],
    nextContinuationToken: "next+/=",
  });
  assert.equal(parseObjectPage(EMPTY_LISTING).nextContinuationToken, undefined);
});
