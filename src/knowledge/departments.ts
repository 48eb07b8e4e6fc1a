import { parse } from 'yaml';
import { z } from 'zod';

export const departmentSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  name: z.string().min(2),
  short: z.string().min(2),
  responsibilities: z.string().min(2),
  keywords: z.array(z.string().min(1)).default([]),
  webhook: z.url().optional(),
  wechat_room: z.string().min(1).optional(),
}).strict();

export type Department = z.infer<typeof departmentSchema>;

const directorySchema = z.object({ departments: z.array(departmentSchema).min(1) }).strict();

export interface DepartmentDirectory {
  list: Department[];
  get(id: string): Department | undefined;
}

/** Parse and validate `knowledge/departments.yaml`; ids must be unique. */
export function parseDepartments(yamlText: string, file = 'departments.yaml'): DepartmentDirectory {
  let data: unknown;
  try {
    data = parse(yamlText, { logLevel: 'error' });
  } catch (err) {
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new Error(`${file}${line ? `:${line}` : ''}: YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = directorySchema.safeParse(data);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.')}: ${i.message}`);
  }
  const byId = new Map<string, Department>();
  for (const d of parsed.data.departments) {
    if (byId.has(d.id)) throw new Error(`${file}: duplicate department id "${d.id}"`);
    byId.set(d.id, d);
  }
  return { list: parsed.data.departments, get: (id) => byId.get(id) };
}
