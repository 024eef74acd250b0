// Property tests of the event-stream writer and reader: whatever a handler sends (hostile text,
// line breaks of every kind, NUL, lone surrogates), a standard reader gets back exactly the
// data, name and id that were sent, or the send is refused; no input makes the reader throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatEvent, parseEventStream } from '../../src/sse/index.js';

const RUNS = 500;
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\n', '\r', '\r\n', ':', ' ', 'data:', 'event:', 'id:', '\0', '\ufeff', 'é'),
    fc.string({ unit: 'binary', maxLength: 2 }),
  ),
  maxLength: 40,
});

/** What a reader sees of sent text: every kind of line break becomes LF. */
function normalised(text: string): string {
  return text.replace(/\r\n|\r/g, '\n');
}

describe('event-stream properties', () => {
  it('data, event name and id survive the round trip, or the send is refused', () => {
    fc.assert(
      fc.property(hostile, fc.option(hostile), fc.option(hostile), (data, event, id) => {
        const options = { event: event ?? undefined, id: id ?? undefined };
        let text: string;
        try {
          text = formatEvent(data, options);
        } catch (err) {
          assert.ok(err instanceof TypeError);
          const bad = (s: string | undefined) => s !== undefined && /[\r\n]/.test(s);
          assert.ok(bad(options.event) || bad(options.id) || options.id?.includes('\0'));
          return;
        }
        const events = parseEventStream(text);
        assert.equal(events.length, 1);
        const [got] = events;
        assert.equal(got!.data, normalised(data));
        assert.equal(got!.event, options.event === '' ? undefined : options.event);
        assert.equal(got!.id, options.id);
      }),
      { numRuns: RUNS },
    );
  });

  it('several events read back in order, whatever they hold', () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 8 }), (items) => {
        const text = items.map((d) => formatEvent(d)).join('');
        assert.deepEqual(
          parseEventStream(text).map((e) => e.data),
          items.map(normalised),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('a comment never reads as an event', () => {
    fc.assert(
      fc.property(hostile, (note) => {
        assert.deepEqual(parseEventStream(formatEvent(note, { comment: true })), []);
      }),
      { numRuns: RUNS },
    );
  });

  it('the reader never throws, and a truncated stream loses only its last event', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 5 }), fc.nat(), (items, cut) => {
        const full = items.map((d) => formatEvent(d)).join('');
        const truncated = full.slice(0, cut % (full.length + 1));
        const events = parseEventStream(truncated);
        assert.ok(events.length <= items.length);
        for (const [i, e] of events.entries()) assert.equal(e.data, normalised(items[i]!));
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (junk) => {
        parseEventStream(junk);
      }),
      { numRuns: RUNS },
    );
  });
});
