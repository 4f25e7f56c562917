import postgres from "postgres";
const sql = postgres({ host: "127.0.0.1", port: 25432, user: "postgres", password: "devpass", database: "postgres", fetch_types: false,
  connection: { TimeZone: "UTC", IntervalStyle: "iso_8601", DateStyle: "ISO" } , types: { x: { from: [1184, 1114, 1082], parse: (s: string) => s } } as never});
const r = await sql`select now() as n, '2020-01-01 10:00'::timestamp t, interval '1 day 2 hours' i, array[1,null,3] a, array['NULL', null]::text[] b, '\\x0102'::bytea by, point(1.5,2) p, box(point(1,2),point(3,4)) bx, array[box(point(1,2),point(3,4)), box(point(0,0),point(1,1))] bxs, 12345678901234567890::numeric n2, '{"a":1}'::jsonb j`.values();
console.log(r, r.columns);
for await (const rows of sql`select g, g*2 from generate_series(1,5) g`.values().cursor(2)) console.log(rows, rows.columns?.map((c: {name:string,type:number}) => c.name+":"+c.type));
await sql.end();
for (const [port, pw] of [[25432, "bad"], [1, "x"]] as const) {
  const s2 = postgres({ host: "127.0.0.1", port, user: "postgres", password: pw, database: "postgres", connect_timeout: 2, max: 1 });
  const t = Date.now();
  try { await s2`select 1`; } catch (e) { const x = e as Record<string, unknown>; console.log(Date.now()-t, (e as Error).message, x.code, x.errno, x.severity); }
  await s2.end({timeout: 0});
}
const s3 = postgres({ host: "10.255.255.1", port: 5432, user: "postgres", password: "x", database: "postgres", connect_timeout: 2, max: 1 });
const t = Date.now();
try { await s3`select 1`; } catch (e) { console.log(Date.now()-t, (e as Error).message, (e as {code:string}).code); }
await s3.end({timeout:0});
const s4 = postgres({ host: "127.0.0.1", port: 25432, user: "postgres", password: "devpass", database: "nodb", connect_timeout: 2, max: 1 });
try { await s4`select 1`; } catch (e) { console.log((e as Error).message, (e as {code:string}).code); }
await s4.end({timeout:0});
