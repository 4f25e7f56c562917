import assert from "node:assert/strict";
import {
  checkConfiguration,
  coerceValues,
  type ConfigFieldSpec,
  type ConfigSchema,
  ConfigValueError,
  fullConfiguration,
  fullField,
  upgradeConfiguration,
  validateConfiguration,
} from "./mod.ts";

/** The value `raw` stored in a one-field configuration of `spec` coerces to. */
function coerceOne(spec: Partial<ConfigFieldSpec>, raw: unknown): unknown {
  const schema: ConfigSchema = { f: { label: "F", ...spec } };
  return coerceValues({ f: { ...fullField("f", schema.f), value: raw } }, schema).f;
}

/** The ConfigValueError message coercing `raw` throws. */
function coerceError(spec: Partial<ConfigFieldSpec>, raw: unknown): string {
  try {
    coerceOne(spec, raw);
  } catch (error) {
    assert.ok(error instanceof ConfigValueError, `not a ConfigValueError: ${error}`);
    return error.message;
  }
  throw new assert.AssertionError({ message: `coercing ${JSON.stringify(raw)} did not throw` });
}

Deno.test("fullField fills the reference's defaults", () => {
  assert.deepEqual(fullField("host", { label: "" }), {
    default_value: null,
    depends_on: [],
    display: "text",
    label: "HOST",
    options: [],
    order: 1,
    required: true,
    sensitive: false,
    tooltip: null,
    type: "str",
    ui_restrictions: [],
    validations: [],
    value: "",
  });
});

Deno.test("fullField keeps the spec, ignores undefined properties and copies arrays", () => {
  const options = [{ label: "A", value: "a" }];
  const spec: ConfigFieldSpec = {
    label: "Mode",
    display: "dropdown",
    options,
    order: 3,
    required: false,
    tooltip: undefined,
  };
  const field = fullField("mode", spec);
  assert.equal(field.label, "Mode");
  assert.equal(field.display, "dropdown");
  assert.equal(field.order, 3);
  assert.equal(field.required, false);
  assert.equal(field.tooltip, null);
  assert.deepEqual(field.options, options);
  assert.notEqual(field.options, options);
  field.depends_on.push({ field: "x", value: 1 });
  assert.deepEqual(fullField("other", { label: "" }).depends_on, []);
});

Deno.test("fullConfiguration maps every schema key to its full field", () => {
  const configuration = fullConfiguration({
    host: { label: "Host", order: 1 },
    port: { label: "Port", type: "int", display: "numeric", order: 2, value: 5432 },
  });
  assert.deepEqual(Object.keys(configuration), ["host", "port"]);
  assert.equal(configuration.port.type, "int");
  assert.equal(configuration.port.value, 5432);
  assert.equal(configuration.host.value, "");
  assert.equal(configuration.host.sensitive, false);
});

const upgradeSchema: ConfigSchema = {
  host: { label: "Host", order: 1 },
  port: { label: "Port", type: "int", order: 2, value: 5432 },
  ssl: { label: "SSL", type: "bool", order: 3, value: false },
};

Deno.test("upgradeConfiguration writes the full configuration when nothing is stored", () => {
  for (const stored of [undefined, null, {}]) {
    const upgrade = upgradeConfiguration(stored, upgradeSchema);
    assert.deepEqual(upgrade.configuration, fullConfiguration(upgradeSchema));
    assert.deepEqual(upgrade.added, ["host", "port", "ssl"]);
    assert.equal(upgrade.changed, true);
  }
});

Deno.test("upgradeConfiguration adds missing fields and keeps stored values", () => {
  const stored = {
    host: { ...fullField("host", upgradeSchema.host), value: "db.local" },
    port: { ...fullField("port", upgradeSchema.port), value: "6543" },
  };
  const upgrade = upgradeConfiguration(stored, upgradeSchema);
  assert.deepEqual(upgrade.added, ["ssl"]);
  assert.equal(upgrade.changed, true);
  const configuration = upgrade.configuration as Record<string, { value: unknown }>;
  assert.equal(configuration.host.value, "db.local");
  assert.equal(configuration.port.value, "6543");
  assert.deepEqual(configuration.ssl, fullField("ssl", upgradeSchema.ssl));
  assert.equal(stored.port.value, "6543", "the stored object is not modified");
  assert.equal("ssl" in stored, false);
});

Deno.test("upgradeConfiguration deep-merges missing properties into stored fields", () => {
  const stored = {
    host: { label: "Old host label", value: "db", nested: { kept: 1 } },
    port: fullField("port", upgradeSchema.port),
    ssl: fullField("ssl", upgradeSchema.ssl),
  };
  const upgrade = upgradeConfiguration(stored, upgradeSchema);
  assert.deepEqual(upgrade.added, []);
  assert.equal(upgrade.changed, true);
  assert.deepEqual(upgrade.configuration.host, {
    ...fullField("host", upgradeSchema.host),
    label: "Old host label",
    value: "db",
    nested: { kept: 1 },
  });
});

Deno.test("upgradeConfiguration merges into nested objects without overwriting", () => {
  const schema: ConfigSchema = {
    f: { label: "F", default_value: { a: 1, b: { c: 2 } } as never },
  };
  const stored = { f: { ...fullField("f", schema.f), default_value: { a: 9, b: {} } } };
  const upgrade = upgradeConfiguration(stored, schema);
  assert.equal(upgrade.changed, true);
  assert.deepEqual(
    (upgrade.configuration.f as { default_value: unknown }).default_value,
    { a: 9, b: { c: 2 } },
  );
});

Deno.test("upgradeConfiguration reports no change for an up-to-date configuration", () => {
  const stored = fullConfiguration(upgradeSchema);
  const upgrade = upgradeConfiguration(stored, upgradeSchema);
  assert.equal(upgrade.changed, false);
  assert.deepEqual(upgrade.added, []);
  assert.deepEqual(upgrade.configuration, stored);
});

Deno.test("upgradeConfiguration tolerates bare stored values", () => {
  const stored = { host: "db.local", port: 6543, ssl: true, legacy_key: 7, empty: null };
  const upgrade = upgradeConfiguration(stored, upgradeSchema);
  assert.equal(upgrade.changed, true);
  assert.deepEqual(upgrade.added, []);
  assert.deepEqual(upgrade.configuration.host, {
    ...fullField("host", upgradeSchema.host),
    value: "db.local",
  });
  assert.deepEqual(upgrade.configuration.port, {
    ...fullField("port", upgradeSchema.port),
    value: "6543",
  });
  const legacy = upgrade.configuration.legacy_key as { label: string; value: unknown };
  assert.equal(legacy.label, "Legacy_key");
  assert.equal(legacy.value, "7");
  assert.equal((upgrade.configuration.empty as { value: unknown }).value, "");
  assert.deepEqual(coerceValues(upgrade.configuration, upgradeSchema), {
    host: "db.local",
    port: 6543,
    ssl: true,
  });
});

Deno.test("upgradeConfiguration keeps unknown object fields untouched", () => {
  const stored = { ...fullConfiguration(upgradeSchema), extra: { value: 1 } };
  const upgrade = upgradeConfiguration(stored, upgradeSchema);
  assert.equal(upgrade.changed, false);
  assert.deepEqual(upgrade.configuration.extra, { value: 1 });
});

Deno.test("str coercion keeps strings exactly and stringifies scalars", () => {
  assert.equal(coerceOne({}, "  spaced  "), "  spaced  ");
  assert.equal(coerceOne({}, 42), "42");
  assert.equal(coerceOne({}, false), "false");
  assert.equal(coerceOne({}, null), "");
  assert.match(coerceError({}, { a: 1 }), /^'F' \(f\) must be text \(str\), got \{"a":1\}\.$/);
});

Deno.test("int coercion accepts integers and integer strings only", () => {
  assert.equal(coerceOne({ type: "int" }, 42), 42);
  assert.equal(coerceOne({ type: "int" }, "42"), 42);
  assert.equal(coerceOne({ type: "int" }, " 42 "), 42);
  assert.equal(coerceOne({ type: "int" }, "-7"), -7);
  assert.equal(coerceOne({ type: "int" }, "+7"), 7);
  assert.equal(coerceOne({ type: "int" }, ""), null);
  assert.equal(coerceOne({ type: "int" }, "   "), null);
  assert.equal(coerceOne({ type: "int" }, null), null);
  assert.equal(
    coerceError({ type: "int", label: "Port" }, "4.5"),
    `'Port' (f) must be a whole number (int), got "4.5".`,
  );
  for (const bad of ["abc", "1e3", "0x10", 4.5, true, [1], "99999999999999999999"]) {
    assert.match(coerceError({ type: "int" }, bad), /must be a whole number \(int\), got /);
  }
});

Deno.test("float coercion accepts finite numbers and decimal strings", () => {
  assert.equal(coerceOne({ type: "float" }, 4.5), 4.5);
  assert.equal(coerceOne({ type: "float" }, "4.5"), 4.5);
  assert.equal(coerceOne({ type: "float" }, " -0.25 "), -0.25);
  assert.equal(coerceOne({ type: "float" }, ".5"), 0.5);
  assert.equal(coerceOne({ type: "float" }, "1e3"), 1000);
  assert.equal(coerceOne({ type: "float" }, "7"), 7);
  assert.equal(coerceOne({ type: "float" }, ""), null);
  assert.equal(coerceOne({ type: "float" }, null), null);
  for (const bad of ["abc", "NaN", "Infinity", "1,5", Infinity, false]) {
    assert.match(coerceError({ type: "float" }, bad), /must be a number \(float\), got /);
  }
});

Deno.test("bool coercion parses words, so 'false' is false", () => {
  const cases: [unknown, boolean | null][] = [
    [true, true],
    [false, false],
    ["true", true],
    ["false", false],
    ["TRUE", true],
    [" False ", false],
    ["yes", true],
    ["No", false],
    ["on", true],
    ["OFF", false],
    ["1", true],
    ["0", false],
    [1, true],
    [0, false],
    ["", null],
    [null, null],
  ];
  for (const [raw, expected] of cases) {
    assert.equal(coerceOne({ type: "bool" }, raw), expected, `bool of ${JSON.stringify(raw)}`);
  }
  for (const bad of ["maybe", "t", 2, [true]]) {
    assert.match(coerceError({ type: "bool" }, bad), /must be true or false \(bool\), got /);
  }
});

Deno.test("list coercion splits, trims and drops empties", () => {
  assert.deepEqual(coerceOne({ type: "list" }, "a, b ,,c ,"), ["a", "b", "c"]);
  assert.deepEqual(coerceOne({ type: "list" }, ["a ", " ", 3, null, true]), ["a", "3", "true"]);
  assert.deepEqual(coerceOne({ type: "list" }, 42), ["42"]);
  assert.deepEqual(coerceOne({ type: "list" }, ""), []);
  assert.deepEqual(coerceOne({ type: "list" }, null), []);
  assert.deepEqual(coerceOne({ type: "list" }, "*"), ["*"]);
  assert.match(coerceError({ type: "list" }, { a: 1 }), /comma-separated list \(list\)/);
  assert.match(coerceError({ type: "list" }, [{ a: 1 }]), /comma-separated list \(list\)/);
});

Deno.test("empty non-required fields fall back to their default value", () => {
  const opt = { required: false };
  assert.equal(coerceOne({ ...opt, default_value: "x" }, ""), "x");
  assert.equal(coerceOne({ ...opt, type: "int", default_value: 10 }, ""), 10);
  assert.equal(coerceOne({ ...opt, type: "int", default_value: 10 }, null), 10);
  assert.equal(coerceOne({ ...opt, type: "int", default_value: "10" }, ""), 10);
  assert.equal(coerceOne({ ...opt, type: "int", default_value: 10 }, "0"), 0);
  assert.equal(coerceOne({ ...opt, type: "bool", default_value: true }, ""), true);
  assert.equal(coerceOne({ ...opt, type: "bool", default_value: true }, "false"), false);
  assert.deepEqual(coerceOne({ ...opt, type: "list", default_value: "*" }, " , "), ["*"]);
  assert.equal(coerceOne({ ...opt, type: "int" }, ""), null);
  assert.equal(coerceOne({ ...opt }, null), "");
  // Required fields keep their empty value; validation reports it.
  assert.equal(coerceOne({ type: "int", default_value: 10 }, ""), null);
});

Deno.test("the schema's declared type wins over the stored type", () => {
  const schema: ConfigSchema = { port: { label: "Port", type: "int" } };
  const stored = { port: { ...fullField("port", { label: "Port" }), type: "str", value: "6543" } };
  assert.deepEqual(coerceValues(stored, schema), { port: 6543 });
});

Deno.test("coerceValues reads bare values, uses the schema value for absent keys", () => {
  const schema: ConfigSchema = {
    host: { label: "Host" },
    port: { label: "Port", type: "int", value: 5432 },
    tables: { label: "Tables", type: "list", value: "*" },
  };
  assert.deepEqual(coerceValues({ host: "db" }, schema), { host: "db", port: 5432, tables: ["*"] });
  assert.deepEqual(coerceValues(undefined, schema), { host: "", port: 5432, tables: ["*"] });
  assert.deepEqual(coerceValues({ host: { label: "Host" } }, schema).host, "");
});

Deno.test("sensitive values never appear in coercion errors", () => {
  const message = coerceError({ type: "int", label: "Secret", sensitive: true }, "hunter2");
  assert.equal(message, "'Secret' (f) must be a whole number (int), got <hidden>.");
  assert.ok(!message.includes("hunter2"));
});

Deno.test("coerceValues gives hidden fields with bad values their default", () => {
  const schema: ConfigSchema = {
    ssl: { label: "SSL", type: "bool", value: false },
    ssl_port: {
      label: "SSL port",
      type: "int",
      default_value: 443,
      depends_on: [{ field: "ssl", value: true }],
    },
  };
  const stored = { ssl: { value: "false" }, ssl_port: { value: "abc" } };
  assert.deepEqual(coerceValues(stored, schema), { ssl: false, ssl_port: 443 });
  assert.deepEqual(validateConfiguration(stored, schema), []);
  assert.throws(
    () => coerceValues({ ssl: { value: "yes" }, ssl_port: { value: "abc" } }, schema),
    (error) => error instanceof ConfigValueError && /'SSL port' \(ssl_port\)/.test(error.message),
  );
});

const validationSchema: ConfigSchema = {
  host: { label: "Host", order: 1 },
  port: {
    label: "Port",
    type: "int",
    validations: [
      { type: "greater_than", constraint: 0 },
      { type: "less_than", constraint: 65536 },
    ],
  },
  mode: {
    label: "Mode",
    required: false,
    validations: [{ type: "included_in", constraint: ["fast", "safe"] }],
  },
  ids: {
    label: "Ids",
    type: "list",
    required: false,
    validations: [{ type: "list_type", constraint: "int" }],
  },
  code: {
    label: "Code",
    required: false,
    validations: [{ type: "regex", constraint: "[A-Z]{3}" }],
  },
  token: {
    label: "Token",
    sensitive: true,
    validations: [{ type: "regex", constraint: "tok-\\d+" }],
  },
};

/** A stored configuration of `validationSchema` with valid values, overridden by `values`. */
function storedWith(values: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = { host: "db", port: 5432, token: "tok-1", ...values };
  return Object.fromEntries(Object.entries(base).map(([key, value]) => [key, { value }]));
}

Deno.test("validateConfiguration accepts a valid configuration", () => {
  assert.deepEqual(validateConfiguration(storedWith({}), validationSchema), []);
  assert.deepEqual(
    validateConfiguration(
      storedWith({ mode: "safe", ids: "1, 2", code: "ABC" }),
      validationSchema,
    ),
    [],
  );
});

Deno.test("validateConfiguration reports required fields left empty", () => {
  assert.deepEqual(validateConfiguration(storedWith({ host: "", port: " " }), validationSchema), [
    "'Host' (host) cannot be empty.",
    "'Port' (port) cannot be empty.",
  ]);
  const list: ConfigSchema = { tables: { label: "Tables", type: "list" } };
  assert.deepEqual(validateConfiguration({ tables: { value: " , " } }, list), [
    "'Tables' (tables) cannot be empty.",
  ]);
});

Deno.test("validateConfiguration reports less_than and greater_than", () => {
  assert.deepEqual(validateConfiguration(storedWith({ port: 70000 }), validationSchema), [
    "'Port' (port) must be less than 65536, got 70000.",
  ]);
  assert.deepEqual(validateConfiguration(storedWith({ port: "0" }), validationSchema), [
    "'Port' (port) must be greater than 0, got 0.",
  ]);
  assert.deepEqual(validateConfiguration(storedWith({ port: 65535 }), validationSchema), []);
});

Deno.test("validateConfiguration reports included_in, list_type and regex", () => {
  assert.deepEqual(
    validateConfiguration(
      storedWith({ mode: "slow", ids: "1,x", code: "ABCD", token: "secret" }),
      validationSchema,
    ),
    [
      `'Mode' (mode) must be one of "fast", "safe", got "slow".`,
      `'Ids' (ids) must be a list of whole numbers, but "x" is not one.`,
      `'Code' (code) must match /[A-Z]{3}/, got "ABCD".`,
      "'Token' (token) must match /tok-\\d+/, got <hidden>.",
    ],
  );
});

Deno.test("regex validation is a full match in JavaScript syntax", () => {
  const schema: ConfigSchema = {
    a: { label: "A", validations: [{ type: "regex", constraint: "a|b" }] },
  };
  assert.deepEqual(validateConfiguration({ a: { value: "b" } }, schema), []);
  assert.equal(validateConfiguration({ a: { value: "ab" } }, schema).length, 1);
  assert.equal(validateConfiguration({ a: { value: "xa" } }, schema).length, 1);
});

Deno.test("included_in checks each list element and compares as strings", () => {
  const schema: ConfigSchema = {
    ports: {
      label: "Ports",
      type: "list",
      validations: [{ type: "included_in", constraint: [80, 443] }],
    },
  };
  assert.deepEqual(validateConfiguration({ ports: { value: "80,443" } }, schema), []);
  assert.deepEqual(validateConfiguration({ ports: { value: "80,81" } }, schema), [
    `'Ports' (ports) must be one of "80", "443", got "81".`,
  ]);
});

Deno.test("validateConfiguration skips fields whose depends_on are not all met", () => {
  const schema: ConfigSchema = {
    auth: { label: "Auth", display: "dropdown", value: "basic" },
    ssl: { label: "SSL", type: "bool", value: false },
    password: {
      label: "Password",
      sensitive: true,
      depends_on: [{ field: "auth", value: "basic" }, { field: "ssl", value: "true" }],
    },
  };
  const hidden = { auth: { value: "basic" }, ssl: { value: "no" }, password: { value: "" } };
  assert.deepEqual(validateConfiguration(hidden, schema), []);
  const shown = { auth: { value: "basic" }, ssl: { value: "on" }, password: { value: "" } };
  assert.deepEqual(validateConfiguration(shown, schema), [
    "'Password' (password) cannot be empty.",
  ]);
  const otherAuth = { auth: { value: "token" }, ssl: { value: true }, password: { value: "" } };
  assert.deepEqual(validateConfiguration(otherAuth, schema), []);
});

Deno.test("validateConfiguration reports coercion errors and unknown dependencies", () => {
  assert.deepEqual(validateConfiguration(storedWith({ port: "abc" }), validationSchema), [
    `'Port' (port) must be a whole number (int), got "abc".`,
  ]);
  const schema: ConfigSchema = {
    a: { label: "A", depends_on: [{ field: "missing", value: true }] },
  };
  assert.deepEqual(validateConfiguration({ a: { value: "" } }, schema), [
    "'A' (a) depends on unknown field 'missing'; fix the schema.",
  ]);
});

Deno.test("validateConfiguration reports broken schema validations", () => {
  const schema: ConfigSchema = {
    a: { label: "A", validations: [{ type: "regex", constraint: "(" }] },
    b: { label: "B", validations: [{ type: "shorter_than" as never, constraint: 3 }] },
  };
  assert.deepEqual(validateConfiguration({ a: { value: "x" }, b: { value: "y" } }, schema), [
    "'A' (a) has an invalid regex validation /(/; fix the schema.",
    "'B' (b) has unknown validation type 'shorter_than'; fix the schema.",
  ]);
});

Deno.test("checkConfiguration returns coerced values or throws every problem on one line", () => {
  assert.deepEqual(checkConfiguration(storedWith({ port: "6543" }), validationSchema), {
    host: "db",
    port: 6543,
    mode: "",
    ids: [],
    code: "",
    token: "tok-1",
  });
  assert.throws(
    () => checkConfiguration(storedWith({ host: "", port: 0, token: "hunter2" }), validationSchema),
    (error) => {
      assert.ok(error instanceof ConfigValueError);
      assert.equal(
        error.message,
        "Invalid connector configuration: 'Host' (host) cannot be empty. " +
          "'Port' (port) must be greater than 0, got 0. " +
          "'Token' (token) must match /tok-\\d+/, got <hidden>.",
      );
      assert.ok(!error.message.includes("hunter2"));
      assert.ok(!error.message.includes("\n"));
      return true;
    },
  );
});
