#!/usr/bin/env node
// npm run bench -- NAME [args]: runs the benchmark dist/scripts/bench/NAME.js (built from
// scripts/bench/NAME.ts). Every benchmark prints readable lines, then as its last line one
// JSON object with all its figures.
import { readdirSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "dist", "scripts", "bench");
const names = existsSync(dir)
  ? readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)).sort()
  : [];
const [name, ...args] = process.argv.slice(2);
if (name === undefined || !names.includes(name)) {
  const what = name === undefined ? "no benchmark named" : `unknown benchmark "${name}"`;
  console.error(`Cannot run benchmark: ${what}; available: ${names.join(", ") || "none (run npm run build)"}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, [join(dir, `${name}.js`), ...args], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
