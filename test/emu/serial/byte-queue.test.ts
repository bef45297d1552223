import { describe, expect, it } from "vitest";
import { ByteQueue } from "../../../src/emu/serial/byte-queue.js";

describe("ByteQueue", () => {
  it("take() returns bytes in order across chunk boundaries", () => {
    const q = new ByteQueue();
    q.push(Buffer.from([1, 2, 3]));
    q.push(Buffer.from([]));
    q.push(Buffer.from([4, 5]));
    q.push(Buffer.from([6]));
    expect(q.length).toBe(6);
    expect([...q.take(2)]).toEqual([1, 2]);
    expect([...q.take(3)]).toEqual([3, 4, 5]);
    expect(q.length).toBe(1);
    expect([...q.take(10)]).toEqual([6]);
    expect(q.length).toBe(0);
    expect(q.take(5).length).toBe(0);
  });

  it("take() within one chunk returns a view, not a copy", () => {
    const q = new ByteQueue();
    const b = Buffer.from([9, 8, 7, 6]);
    q.push(b);
    const out = q.take(2);
    expect(out.buffer).toBe(b.buffer);
  });

  it("keeps order over many chunks (compaction)", () => {
    const q = new ByteQueue();
    for (let i = 0; i < 5000; i++) q.push(Buffer.from([i & 0xff]));
    const out: number[] = [];
    while (q.length > 0) out.push(...q.take(7));
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i & 0xff));
  });

  it("clear() reports how many bytes it dropped", () => {
    const q = new ByteQueue();
    q.push(Buffer.alloc(10));
    q.take(3);
    expect(q.clear()).toBe(7);
    expect(q.length).toBe(0);
  });
});
