// The committed corpus: cases recorded from the real CPU, so the differential suite also runs
// where the native oracle is unavailable. A gzip'd file: one JSON header line (format, host CPU
// model, seed, count), then pairs of binary records (case, native result) as in case-format.ts.
import { gunzipSync, gzipSync } from "node:zlib";
import { readFileSync, writeFileSync } from "node:fs";
import { caseRecordSize, readCase, readResult, resultRecordSize, writeCase, writeResult } from "./case-format.js";
import type { CaseResult, DiffCase } from "./case-format.js";

export const CORPUS_PATH = "test/cpu/diff/corpus/native-cases.bin.gz";
const FORMAT = "cpu-diff-corpus/1";

/** A Buffer viewed as a plain Uint8Array (@types/node 20 Buffers do not satisfy zlib/fs typings under TS 5.9). */
function u8(b: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);
}

export interface CorpusHeader {
  format: string;
  cpu: string;
  seed: number;
  count: number;
  recorded: string;
}

export interface Corpus {
  header: CorpusHeader;
  cases: DiffCase[];
  results: CaseResult[];
}

export function encodeCorpus(header: CorpusHeader, cases: readonly DiffCase[], results: readonly CaseResult[]): Buffer {
  const head = Buffer.from(JSON.stringify(header) + "\n", "utf8");
  let size = 0;
  for (let i = 0; i < cases.length; i++) size += caseRecordSize(cases[i]) + resultRecordSize(results[i]);
  const body = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; i < cases.length; i++) {
    at = writeCase(cases[i], body, at);
    at = writeResult(results[i], body, at);
  }
  return gzipSync(u8(Buffer.concat([u8(head), u8(body)])), { level: 9 });
}

export function decodeCorpus(gz: Buffer, what = "corpus"): Corpus {
  const raw = gunzipSync(u8(gz));
  const nl = raw.indexOf(10);
  if (nl < 0) throw new SyntaxError(`Cannot read ${what}: no header line`);
  const header = JSON.parse(raw.subarray(0, nl).toString("utf8")) as CorpusHeader;
  if (header.format !== FORMAT) throw new SyntaxError(`Cannot read ${what}: format is "${header.format}", expected "${FORMAT}"`);
  const cases: DiffCase[] = [];
  const results: CaseResult[] = [];
  let at = nl + 1;
  while (at < raw.length) {
    const c = readCase(raw, at);
    const r = readResult(raw, c.next);
    cases.push(c.value);
    results.push(r.value);
    at = r.next;
  }
  if (cases.length !== header.count) throw new SyntaxError(`Cannot read ${what}: ${cases.length} cases, header says ${header.count}`);
  return { header, cases, results };
}

export function readCorpus(path = CORPUS_PATH): Corpus {
  return decodeCorpus(readFileSync(path), path);
}

export function writeCorpus(path: string, corpus: Corpus): void {
  writeFileSync(path, u8(encodeCorpus(corpus.header, corpus.cases, corpus.results)));
}

export { FORMAT as CORPUS_FORMAT };
