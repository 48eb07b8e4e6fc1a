import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { CaseGateway } from '../dialogue/runner.js';
import type { DepartmentDirectory } from '../knowledge/departments.js';
import type { Logger } from '../logger.js';
import type { CitizenOutbox } from '../notify/citizen-outbox.js';
import type { Redis } from '../store/redis.js';
import { chinaDay, createWorkCalendar, parseCalendarOverrides } from './calendar.js';
import { createContactCipher, decodeEncryptionKey } from './contact-cipher.js';
import { parseDeadlineDays, type DeadlinePolicy } from './deadlines.js';
import { startCaseNotifier, type CaseNotifier, type NotifierOptions } from './notifier.js';
import { createCaseService, type CaseService } from './service.js';
import { createRedisCaseStore } from './store.js';
import { citizenActor } from './types.js';

export interface CaseWiringInputs {
  config: Config;
  redis: Redis;
  directory: DepartmentDirectory;
  outbox: CitizenOutbox;
  clock: Clock;
  logger: Logger;
}

/** The deadline policy from config (`CASE_DEADLINE_DAYS`, `CASE_*_WORKING_DAYS`, `CASE_CALENDAR_OVERRIDES`). */
export function deadlinePolicyFromConfig(config: Config): DeadlinePolicy {
  const named = <T>(variable: string, parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      throw new Error(`${variable}: ${(err as Error).message}`);
    }
  };
  return {
    calendar: createWorkCalendar(named('CASE_CALENDAR_OVERRIDES', () => parseCalendarOverrides(config.CASE_CALENDAR_OVERRIDES))),
    days: named('CASE_DEADLINE_DAYS', () => parseDeadlineDays(config.CASE_DEADLINE_DAYS)),
    acceptDays: config.CASE_ACCEPT_WORKING_DAYS,
    nearDueDays: config.CASE_NEAR_DUE_WORKING_DAYS,
  };
}

/**
 * Build the case service from config. Without CASE_ENCRYPTION_KEY (tests, a bare Worker) an
 * ephemeral key is used and a warning logged: contacts stored then become unreadable after a
 * restart. The Node entry always provides a key (from DATA_DIR when not configured).
 */
export function casesFromConfig(inputs: CaseWiringInputs): CaseService {
  const { config, logger } = inputs;
  let key: Uint8Array;
  if (config.CASE_ENCRYPTION_KEY) key = decodeEncryptionKey(config.CASE_ENCRYPTION_KEY);
  else {
    logger.warn('CASE_ENCRYPTION_KEY not set: using an ephemeral key; stored contacts will be unreadable after a restart');
    key = crypto.getRandomValues(new Uint8Array(32));
  }
  const policy = deadlinePolicyFromConfig(config);
  const year = Number(chinaDay(inputs.clock.now()).slice(0, 4));
  if (policy.calendar.lastCoveredYear < year + 1 && !config.CASE_CALENDAR_OVERRIDES) {
    logger.warn('holiday calendar does not cover next year yet: deadlines then count weekends only; update chinese-days or set CASE_CALENDAR_OVERRIDES', {
      lastCoveredYear: policy.calendar.lastCoveredYear,
    });
  }
  return createCaseService({
    store: createRedisCaseStore(inputs.redis, config.REDIS_PREFIX),
    directory: inputs.directory,
    cipher: createContactCipher(key),
    policy,
    outbox: inputs.outbox,
    now: () => inputs.clock.now(),
    logger,
  });
}

/**
 * Start the case notifier (department webhooks, citizen replies) for long-running processes.
 * @example const notifier = startCaseNotifierFor(services); ...; await notifier.stop();
 */
export function startCaseNotifierFor(
  services: CaseWiringInputs,
  overrides: Partial<NotifierOptions> = {},
): CaseNotifier {
  const { config } = services;
  return startCaseNotifier({
    redis: services.redis,
    prefix: config.REDIS_PREFIX,
    store: createRedisCaseStore(services.redis, config.REDIS_PREFIX),
    directory: services.directory,
    outbox: services.outbox,
    logger: services.logger,
    now: () => services.clock.now().getTime(),
    maxAttempts: config.CASE_WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.CASE_WEBHOOK_BACKOFF_MS,
    ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    ...overrides,
  });
}

const formatDay = (iso: string) => {
  const [y, m, d] = chinaDay(new Date(iso)).split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/** The dialogue's view of the case system: create from a chat draft, status for the citizen. */
export function caseGatewayFor(cases: CaseService): CaseGateway {
  return {
    async create(draft, ctx) {
      const { case: c } = await cases.create(
        {
          type: draft.type,
          ...(draft.department ? { department: draft.department } : {}),
          summary: draft.summary,
          details: draft.details,
          excerpt: draft.excerpt,
          ...(draft.contact ? { contact: draft.contact } : {}),
          channel: ctx.channel,
          citizenRef: ctx.citizenRef,
          idempotencyKey: `chat:${ctx.idempotencyKey}`,
        },
        citizenActor(ctx.citizenRef),
      );
      return { number: c.number, deadline: formatDay(c.deadline), ...(c.departmentName ? { departmentName: c.departmentName } : {}) };
    },
    async lookup(number, citizenRef) {
      const v = await cases.lookupForCitizen(number, citizenRef);
      if (!v) return undefined;
      return {
        number: v.number,
        type: v.type,
        statusLabel: v.statusLabel,
        ...(v.departmentName ? { departmentName: v.departmentName } : {}),
        deadline: formatDay(v.deadline),
        ...(v.reply ? { reply: v.reply.text } : {}),
      };
    },
  };
}
