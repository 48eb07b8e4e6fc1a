import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { freePort, waitFor } from '../../src/node/free-port.js';
import { startMeilisearch, type MeiliProcess } from '../../src/node/meili-process.js';
import { testServices, type TestServices } from '../helpers/services.js';

/**
 * Meilisearch fails under the running service (our OWN Meilisearch, not the shared one):
 * killed, then hung (SIGSTOP). Every chat must still get a reply within 2 s: an answer when the
 * retriever's in-process copy of the candidate documents' passages holds it (documents fetched
 * before the outage), otherwise an apology with the offer to leave a case — always the apology
 * when the question needs Meilisearch's word search. /readyz must say 503, the offered case must be
 * stored, and when Meilisearch comes back on the same address the service recovers by itself —
 * same services object, no restart.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'yhd-meili-fault-'));
const masterKey = 'fault-test-master-key-0123456789';
let port: number;
let meili: MeiliProcess;
let services: TestServices;
let app: ReturnType<typeof createApp>;

const startOwnMeili = () => startMeilisearch({ dataDir, masterKey, port });

beforeAll(async () => {
  port = await freePort();
  meili = await startOwnMeili();
  services = await testServices({
    config: {
      MEILI_URL: meili.url,
      MEILI_MASTER_KEY: masterKey,
      // Rate limits are not under test here: traffic comes from one address in one session per loop.
      CHAT_RATE_PER_IP_PER_MINUTE: '100000',
      CHAT_RATE_PER_MINUTE: '100000',
      SESSIONS_PER_IP: '100000',
    },
  });
  app = createApp(services);
});
afterAll(async () => {
  if (meili.child.signalCode === null && meili.child.exitCode === null) meili.child.kill('SIGCONT');
  await services?.cleanup();
  await meili?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Turn {
  status: number;
  ms: number;
  sessionId: string;
  action: string;
  text: string;
  options: string[];
  caseNumber?: string;
  citations: number;
}

async function chat(message: string, sessionId?: string): Promise<Turn> {
  const started = performance.now();
  const res = await app.request('/api/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sessionId ? { sessionId, message } : { message }),
  });
  const ms = performance.now() - started;
  const body = (await res.json()) as {
    sessionId: string;
    action: string;
    replies: Array<{ text: string; options?: string[]; caseNumber?: string; citations: unknown[] }>;
  };
  const replies = body.replies ?? [];
  return {
    status: res.status,
    ms,
    sessionId: body.sessionId,
    action: body.action,
    text: replies.map((r) => r.text).join('\n'),
    options: replies.at(-1)?.options ?? [],
    caseNumber: replies.find((r) => r.caseNumber)?.caseNumber,
    citations: replies.reduce((n, r) => n + (r.citations?.length ?? 0), 0),
  };
}

const QUESTIONS = ['怎么申请政府信息公开？', '社保卡丢了怎么补办', '居住证怎么办理', '公积金提取需要什么材料'];

/** `loops` clients chatting back to back until `stop()`; every turn is recorded. */
function traffic(loops: number) {
  const turns: Array<Turn & { at: number }> = [];
  let running = true;
  const done = Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      // Each question is asked once (numbered), so no answer can come from the recent-results cache.
      for (let n = 0; running; n++) turns.push({ ...(await chat(`${QUESTIONS[(i + n) % QUESTIONS.length]!}（${i}-${n}）`)), at: Date.now() });
    }),
  );
  return { turns, stop: async () => ((running = false), await done) };
}

async function readyStatus(): Promise<{ status: number; checks: Record<string, boolean> }> {
  const res = await app.request('/readyz');
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, boolean> }).checks };
}

/** Answer whatever the case intake asks until the case is created; returns the final turn. */
async function completeIntake(first: Turn): Promise<Turn> {
  let t = first;
  for (let i = 0; i < 8 && t.action !== 'case_created'; i++) {
    const reply = t.options.includes('确认') ? '确认' : /电话|联系/.test(t.text) ? '13800000000' : /地方|地点|哪里/.test(t.text) ? '牡丹区万福街道' : '最近一周';
    t = await chat(reply, t.sessionId);
    expect(t.status).toBe(200);
  }
  return t;
}

/** Words the knowledge base has never seen: only Meilisearch's word search could place them. */
const NEEDS_WORD_SEARCH = '护照签证加急怎么办';

function expectApology(t: Turn) {
  expect(t.action).toBe('unavailable');
  expect(t.text).toContain('抱歉');
  expect(t.options).toContain('留言登记工单');
}

/** During the outage: a cited answer from the in-process copy, or the apology with the case offer. */
function expectAnswerOrApology(t: Turn) {
  if (t.action === 'unavailable') expectApology(t);
  else {
    expect(['answer', 'clarify', 'choices', 'fallback_rephrase', 'fallback_offer']).toContain(t.action);
    if (t.action === 'answer') expect(t.citations).toBeGreaterThan(0);
  }
}

/** Search works end to end: the retriever finds passages and the chat does not apologise. */
async function expectServing() {
  expect((await services.retriever.search('政府信息公开申请')).hits.length).toBeGreaterThan(0);
  const t = await chat('怎么申请政府信息公开？');
  expect(t.status).toBe(200);
  expect(t.action).not.toBe('unavailable');
  expect(t.text).not.toContain('故障');
}

describe('Meilisearch down under traffic', () => {
  it('answers from the knowledge base while Meilisearch is up', async () => {
    await expectServing();
    expect((await readyStatus()).status).toBe(200);
  });

  it('killed mid-traffic: every chat still replies within 2 s, from the in-process copy or with an apology and the case offer', async () => {
    const load = traffic(4);
    await new Promise((r) => setTimeout(r, 500));
    const killedAt = Date.now();
    meili.child.kill('SIGKILL');
    await new Promise((r) => meili.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();

    expect(load.turns.filter((t) => t.at < killedAt && t.action !== 'unavailable').length).toBeGreaterThan(0);
    const after = load.turns.filter((t) => t.at > killedAt + 200);
    expect(after.length).toBeGreaterThan(8);
    for (const t of load.turns) {
      expect(t.status).toBe(200);
      expect(t.ms).toBeLessThan(2000);
    }
    for (const t of after) expectAnswerOrApology(t);
    // A question the document statistics cannot place needs the word search: the apology.
    expectApology(await chat(`${NEEDS_WORD_SEARCH}（宕机时）`));
    const ready = await readyStatus();
    expect(ready.status).toBe(503);
    expect(ready.checks).toMatchObject({ meilisearch: false, redis: true });
    // A question answered in the last SEARCH_CACHE_TTL_MS is still answered during the outage.
    const cached = await chat('怎么申请政府信息公开？');
    expect(cached.action).toBe('answer');
    expect(cached.citations).toBeGreaterThan(0);
  });

  it('the offered case is taken and stored while Meilisearch is still down', async () => {
    const first = await chat('新生儿医保怎么办理？');
    expect(first.action).toBe('unavailable');
    const accepted = await chat('留言登记工单', first.sessionId);
    expect(accepted.status).toBe(200);
    expect(accepted.action).toBe('collect');
    const done = await completeIntake(accepted);
    expect(done.action).toBe('case_created');
    expect(done.caseNumber).toMatch(/^\d{8}-\d{4,6}$/);
    const stored = await services.cases.get(done.caseNumber!);
    expect(stored?.summary ?? '').toContain('新生儿医保');
  });

  it('recovers by itself when Meilisearch is back on the same address (no service restart)', async () => {
    meili = await startOwnMeili();
    await waitFor(async () => (await readyStatus()).status === 200, 15_000, '/readyz to turn 200 again');
    await expectServing();
  });

  it('hung (SIGSTOP): chats get a reply within 2 s thanks to the client timeout, and recover on SIGCONT', async () => {
    meili.child.kill('SIGSTOP');
    try {
      const turns = await Promise.all([...QUESTIONS, NEEDS_WORD_SEARCH].map((q) => chat(`${q}（挂起时）`)));
      for (const t of turns) {
        expect(t.status).toBe(200);
        expect(t.ms).toBeLessThan(2000);
        expectAnswerOrApology(t);
      }
      expectApology(turns.at(-1)!);
      const started = Date.now();
      expect((await readyStatus()).status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      meili.child.kill('SIGCONT');
    }
    await waitFor(async () => (await readyStatus()).status === 200, 15_000, '/readyz to turn 200 after SIGCONT');
    await expectServing();
  });
});
