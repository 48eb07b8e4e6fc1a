import { z } from 'zod';
import placesData from '../../knowledge/places.json' with { type: 'json' };

/**
 * Place agreement between a question and a document. Policies are local: "上海市对沿街商户有何管理要求"
 * is not answered by a Beijing notice however many words they share, and a lexical scorer cannot
 * tell. The gazetteer (`knowledge/places.json`: provinces and prefecture-level divisions with their
 * short names, county-level divisions by full name; National Bureau of Statistics data via
 * modood/Administrative-divisions-of-China) finds the places a text names; the retriever marks down
 * a document whose title and lead name places, none of them the question's (a county, its city and
 * its province agree).
 */

const code = (digits: number) => z.string().regex(new RegExp(`^\\d{${digits}}$`));
const gazetteerSchema = z.object({
  provinces: z.array(z.object({ code: code(2), name: z.string().min(2), short: z.string().min(2) })),
  cities: z.array(z.object({ code: code(4), name: z.string().min(2), short: z.string().min(2).optional(), province: code(2) })),
  /** County-level divisions, by full name only (牡丹区, 曹县): their short forms are everyday words. */
  areas: z.array(z.object({ code: code(6), name: z.string().min(2) })).default([]),
});

/**
 * A place, by its statistical division code: 2 digits a province, 4 a prefecture, 6 a county.
 * Codes nest (37 山东 ⊃ 3717 菏泽 ⊃ 371702 牡丹区), so one place lies in another when its code starts
 * with the other's.
 */
export interface Place {
  code: string;
}

export interface Gazetteer {
  /** The places a text names, longest name first at each position (吉林市 is the city, not also 吉林省). */
  find(text: string): Place[];
  /** Where the text names places: [start, end) in UTF-16 code units, left to right, as `find` reads them. */
  spans(text: string): Array<[number, number]>;
}

export function createGazetteer(data: unknown): Gazetteer {
  const g = gazetteerSchema.parse(data);
  // Names by their first character, longest first: one left-to-right scan of the text.
  const byFirst = new Map<string, Array<[string, Place[]]>>();
  const add = (name: string, place: Place) => {
    const list = byFirst.get(name[0]!) ?? byFirst.set(name[0]!, []).get(name[0]!)!;
    const same = list.find(([n]) => n === name);
    if (same) same[1].push(place); // 朝阳区 is in Beijing and in Changchun
    else list.push([name, [place]]);
  };
  for (const p of g.provinces) for (const n of [p.name, p.short]) add(n, { code: p.code });
  for (const c of g.cities) for (const n of [c.name, c.short]) if (n) add(n, { code: c.code });
  for (const a of g.areas) add(a.name, { code: a.code });
  for (const list of byFirst.values()) list.sort((a, b) => b[0].length - a[0].length);
  const scan = (text: string, onHit: (start: number, name: string, places: Place[]) => void) => {
    for (let i = 0; i < text.length; ) {
      const hit = byFirst.get(text[i]!)?.find(([name]) => text.startsWith(name, i));
      if (!hit) {
        i += 1;
        continue;
      }
      onHit(i, hit[0], hit[1]);
      i += hit[0].length;
    }
  };
  return {
    find(text) {
      const found = new Map<string, Place>();
      scan(text, (_i, _name, places) => {
        for (const p of places) found.set(p.code, p);
      });
      return [...found.values()];
    },
    spans(text) {
      const out: Array<[number, number]> = [];
      scan(text, (i, name) => out.push([i, i + name.length]));
      return out;
    },
  };
}

export const GAZETTEER = createGazetteer(placesData);

/**
 * Whether a document's places agree with the question's: `undefined` when either names no place
 * (nothing to judge), true when one place lies in the other (a county in its city or province).
 */
export function placesAgree(question: Place[], doc: Place[]): boolean | undefined {
  if (question.length === 0 || doc.length === 0) return undefined;
  return question.some((q) => doc.some((d) => q.code.startsWith(d.code) || d.code.startsWith(q.code)));
}
