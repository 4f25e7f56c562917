import assert from "node:assert/strict";
import { join } from "node:path";
import { Logger } from "../../lib/log/mod.ts";
import { md5Hex } from "../../lib/source/files.ts";
import type { SourceItem, SyncContext } from "../../lib/source/types.ts";
import { dirConnector } from "./mod.ts";

async function collect(options: { directory: string; pattern: string; maxFileSize?: number }) {
  const source = dirConnector.create({
    config: { directory: options.directory, pattern: options.pattern },
    logger: new Logger(),
  });
  const context: SyncContext = {
    signal: new AbortController().signal,
    logger: new Logger(),
    maxFileSize: options.maxFileSize ?? 10 * 1024 * 1024,
    warn: () => {},
  };
  const items: SourceItem[] = [];
  for await (const item of source.docs(context)) items.push(item);
  await source.close();
  return items;
}

async function tree(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "docs", "deep"), { recursive: true });
  await Deno.writeTextFile(join(root, "readme.md"), "# hello");
  await Deno.writeTextFile(join(root, "docs", "deep", "notes.txt"), "deep notes");
  await Deno.writeTextFile(join(root, "docs", "Makefile"), "all:");
  await Deno.writeFile(join(root, "docs", "image.bin"), new Uint8Array([1, 2, 3]));
  return root;
}

Deno.test("dir yields the reference's fields for every file matching the pattern", async () => {
  const root = await tree();
  try {
    const items = await collect({ directory: root, pattern: "**/*.*" });
    const paths = items.map((item) => item.doc.path).sort();
    assert.deepEqual(paths, [
      join(root, "docs", "deep", "notes.txt"),
      join(root, "docs", "image.bin"),
      join(root, "readme.md"),
    ]);
    const readme = items.find((item) => item.doc.path === join(root, "readme.md"))!;
    assert.equal(readme.doc._id, md5Hex(join(root, "readme.md")));
    assert.equal(readme.doc.size, 7);
    assert.match(String(readme.doc._timestamp), /^\d{4}-\d\d-\d\dT/);
    for (
      const key of [
        "last_modified_time",
        "inode_protection_mode",
        "inode_number",
        "device_inode_reside",
        "number_of_links",
        "uid",
        "gid",
        "ctime",
        "last_access_time",
      ]
    ) assert.ok(key in readme.doc, key);
    const content = await readme.download!(new AbortController().signal);
    assert.equal(atob(content!._attachment!), "# hello");
    const binary = items.find((item) => String(item.doc.path).endsWith("image.bin"))!;
    assert.equal(binary.download, undefined, "a .bin file is not extractable");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dir honours the pattern and the download size limit", async () => {
  const root = await tree();
  try {
    const txt = await collect({ directory: root, pattern: "docs/**/*.txt", maxFileSize: 3 });
    assert.deepEqual(txt.map((item) => item.doc.path), [join(root, "docs", "deep", "notes.txt")]);
    assert.equal(txt[0].download, undefined, "10 bytes is over a 3-byte limit");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dir reports a missing directory as a configuration error", async () => {
  const source = dirConnector.create({
    config: { directory: "/nonexistent/dir", pattern: "*" },
    logger: new Logger(),
  });
  await assert.rejects(
    source.validateConfig(),
    /Directory path.*\/nonexistent\/dir cannot be read/,
  );
});
