import assert from "node:assert/strict";
import { EMPTY_PAYLOAD_HASH, encodePath, sha256Hex, signRequest, uriEncode } from "./sigv4.ts";

// The example credentials and time of AWS's "Signature Calculations for the Authorization
// Header" examples (Amazon S3 API reference, sig-v4-header-based-auth).
const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const date = new Date("2013-05-24T00:00:00Z");

function signatureOf(authorization: string): string {
  return authorization.match(/Signature=([0-9a-f]{64})$/)![1];
}

Deno.test("sigv4 signs AWS's GET object example", async () => {
  const headers = await signRequest({
    method: "GET",
    url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
    headers: { Range: "bytes=0-9" },
    credentials,
    region: "us-east-1",
    date,
  });
  assert.equal(headers["x-amz-date"], "20130524T000000Z");
  assert.equal(headers["x-amz-content-sha256"], EMPTY_PAYLOAD_HASH);
  assert.equal(headers["range"], "bytes=0-9");
  assert.equal(headers["host"], undefined);
  assert.equal(
    headers["authorization"],
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );
});

Deno.test("sigv4 signs AWS's GET bucket (list objects) example with a sorted query", async () => {
  const headers = await signRequest({
    method: "GET",
    url: new URL("https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2"),
    credentials,
    region: "us-east-1",
    date,
  });
  assert.equal(
    signatureOf(headers["authorization"]),
    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
  );
});

Deno.test("sigv4 signs AWS's GET bucket lifecycle example (a query key without value)", async () => {
  const headers = await signRequest({
    method: "GET",
    url: new URL("https://examplebucket.s3.amazonaws.com/?lifecycle"),
    credentials,
    region: "us-east-1",
    date,
  });
  assert.equal(
    signatureOf(headers["authorization"]),
    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
  );
});

Deno.test("sigv4 signs AWS's PUT object example with a payload hash and an encoded key", async () => {
  const payloadHash = await sha256Hex("Welcome to Amazon S3.");
  assert.equal(payloadHash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const headers = await signRequest({
    method: "PUT",
    url: new URL(`https://examplebucket.s3.amazonaws.com${encodePath("test$file.text")}`),
    headers: { Date: "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY" },
    payloadHash,
    credentials,
    region: "us-east-1",
    date,
  });
  assert.equal(
    signatureOf(headers["authorization"]),
    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
  );
});

Deno.test("uriEncode keeps only unreserved characters, and slashes in keys", () => {
  assert.equal(uriEncode("a b+c/d*é~"), "a%20b%2Bc%2Fd%2A%C3%A9~");
  assert.equal(uriEncode("a b/c", true), "a%20b/c");
  assert.equal(encodePath("my-bucket", "dir/x (1).txt"), "/my-bucket/dir/x%20%281%29.txt");
  assert.equal(encodePath("my-bucket", ""), "/my-bucket");
  assert.equal(encodePath("folder/"), "/folder/");
});
