import assert from "node:assert/strict";
import { child, children, childText, parseXml } from "./xml.ts";

Deno.test("xml parses a ListObjectsV2 result with entities, namespaces and untrimmed keys", () => {
  const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key> a &amp; b &lt;c&gt; &#233;&#xE9; </Key>
    <LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
    <Size>434234</Size>
    <Owner><ID>75aa</ID><DisplayName>mtd@amazon.com</DisplayName></Owner>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents><Key><![CDATA[x<y>.txt]]></Key><Size>0</Size><Owner/></Contents>
</ListBucketResult>`);
  assert.equal(root.name, "ListBucketResult");
  assert.equal(root.attributes.xmlns, "http://s3.amazonaws.com/doc/2006-03-01/");
  assert.equal(childText(root, "Prefix"), "");
  assert.equal(childText(root, "Missing"), undefined);
  assert.equal(
    childText(root, "NextContinuationToken"),
    "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
  );
  const contents = children(root, "Contents");
  assert.equal(contents.length, 2);
  assert.equal(childText(contents[0], "Key"), " a & b <c> éé ");
  assert.equal(childText(contents[0], "ETag"), '"fba9dede5f27731c9771645a39863328"');
  assert.equal(childText(child(contents[0], "Owner")!, "DisplayName"), "mtd@amazon.com");
  assert.equal(childText(contents[1], "Key"), "x<y>.txt");
  assert.deepEqual(child(contents[1], "Owner")?.children, []);
});

Deno.test("xml parses an S3 error and a bare LocationConstraint", () => {
  const error = parseXml(
    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchBucket</Code>" +
      "<Message>The specified bucket does not exist</Message><BucketName>nope</BucketName></Error>",
  );
  assert.equal(childText(error, "Code"), "NoSuchBucket");
  assert.equal(childText(error, "BucketName"), "nope");
  const location = parseXml(
    '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>',
  );
  assert.equal(location.text, "eu-west-1");
  assert.equal(parseXml("<s3:LocationConstraint xmlns:s3='x'/>").name, "LocationConstraint");
});

Deno.test("xml keeps attribute values with '>' and skips comments", () => {
  const root = parseXml(`<a title='x > y' id="1"><!-- <b>not an element</b> --><b/></a>`);
  assert.deepEqual(root.attributes, { title: "x > y", id: "1" });
  assert.deepEqual(root.children.map((element) => element.name), ["b"]);
});

Deno.test("xml rejects malformed documents and DOCTYPEs", () => {
  for (
    const bad of [
      "",
      "<a>",
      "<a></b>",
      "<a/><b/>",
      "text",
      "<a><b></a></b>",
      '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
      "<a attr='x>",
    ]
  ) {
    assert.throws(() => parseXml(bad), /malformed XML/, `should reject ${JSON.stringify(bad)}`);
  }
});
