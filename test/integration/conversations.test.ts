import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTurn } from '../../src/dialogue/runner.js';
import { testServices, ROOT, type TestServices, uniqueName } from '../helpers/services.js';

const turnSchema = z.object({
  user: z.string(),
  intent: z.string().optional(),
  action: z.string().optional(),
  /** `a|b`: the first citation is one of these document ids. */
  citation: z.string().optional(),
  no_citation: z.boolean().optional(),
  reply_contains: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
  case_number: z.boolean().optional(),
}).strict();
const storySchema = z.array(z.object({ name: z.string(), turns: z.array(turnSchema).min(1) }).strict());

const dir = join(ROOT, 'test', 'conversations');
const stories = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => storySchema.parse(parse(readFileSync(join(dir, f), 'utf8'))).map((s) => ({ ...s, file: f })));

let services: TestServices;
beforeAll(async () => {
  services = await testServices();
});
afterAll(() => services.cleanup());

describe('conversation tests (test/conversations/*.yaml)', () => {
  it.each(stories.map((s) => [`${s.file}: ${s.name}`, s] as const))('%s', async (_name, story) => {
    const sessionId = uniqueName('conv').replace(/[^A-Za-z0-9_-]/g, '');
    for (const [i, turn] of story.turns.entries()) {
      const where = `turn ${i + 1} "${turn.user}"`;
      const r = await runTurn(services, { sessionId, channel: 'web', citizenRef: `web:${sessionId}`, message: turn.user });
      const text = r.replies.map((x) => x.text).join('\n');
      const info = `${where} → intent=${r.intent} action=${r.action}\n${text}`;
      if (turn.intent) expect(r.intent, info).toBe(turn.intent);
      if (turn.action) expect(r.action, info).toBe(turn.action);
      if (turn.citation) expect(turn.citation.split('|'), info).toContain(r.replies[0]?.citations[0]?.id);
      if (turn.no_citation) expect(r.replies.flatMap((x) => x.citations), info).toHaveLength(0);
      for (const frag of turn.reply_contains ?? []) expect(text, info).toContain(frag);
      if (turn.options) expect(r.replies[r.replies.length - 1]?.options, info).toEqual(turn.options);
      if (turn.case_number) expect(r.replies.some((x) => /^\d{8}-\d{4,5}$/.test(x.caseNumber ?? '')), info).toBe(true);
    }
  });
});
