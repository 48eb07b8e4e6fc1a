import { z } from 'zod';
import { CONTROL_CHARS } from '../../http/validate.js';
import { DAY_RE } from '../calendar.js';
import { CASE_STATUSES, CASE_TYPES, SATISFACTIONS } from '../types.js';

/** Trimmed, non-empty text of at most `max` characters without control characters. */
export const text = (max: number) =>
  z.string()
    .transform((s) => s.trim())
    .pipe(z.string().min(1, '不能为空').max(max, `不能超过${max}个字`).refine((s) => !CONTROL_CHARS.test(s), '含有不允许的控制字符'));

export const departmentId = z.string().regex(/^[a-z][a-z0-9_]*$/, '部门编号格式不正确');
export const citizenRef = z.string().regex(/^(web|wechat|panel|phone):[A-Za-z0-9_.:-]{1,120}$/, '市民标识格式不正确');
export const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'Idempotency-Key 须为8-128位字母、数字或 _.:-');

export const createCaseSchema = z.object({
  type: z.enum(CASE_TYPES),
  department: departmentId.optional(),
  summary: text(200),
  details: z.record(z.string().regex(/^[a-z][a-z_]{0,30}$/, '字段名格式不正确'), text(2000)).refine((d) => Object.keys(d).length <= 20, '最多20项').optional(),
  excerpt: z.array(z.object({ role: z.enum(['user', 'bot']), text: text(2000) }).strict()).max(50).optional(),
  contact: text(100).optional(),
  channel: z.enum(['web', 'wechat', 'panel']).default('panel'),
  citizenRef: citizenRef.optional(),
}).strict();

export const noteSchema = z.object({ note: text(1000).optional() }).strict();
export const dispatchSchema = z.object({ department: departmentId.optional(), note: text(1000).optional() }).strict();
export const reasonSchema = z.object({ reason: text(1000) }).strict();
export const replySchema = z.object({ text: text(5000) }).strict();
export const extensionRequestSchema = z.object({ days: z.number().int().min(1).max(30), reason: text(1000) }).strict();
export const extensionDecisionSchema = z.object({ approve: z.boolean(), note: text(1000).optional() }).strict();
export const feedbackSchema = z.object({ satisfaction: z.enum(SATISFACTIONS), comment: text(1000).optional() }).strict();

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const listQuerySchema = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  department: departmentId.optional(),
  overdue: flag.optional(),
  nearDue: flag.optional(),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

const day = z.string().regex(DAY_RE, '日期格式应为 YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s), '日期不存在');
export const kpiQuerySchema = z.object({ from: day, to: day }).strict()
  .refine((q) => q.from <= q.to, { message: 'from 不能晚于 to', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: '时间跨度不能超过366天', path: ['to'] });
