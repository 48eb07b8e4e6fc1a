import { z } from 'zod';
import placesData from '../../knowledge/places.json' with { type: 'json' };

/**
 * Place agreement between a question and a document. Policies are local: "上海市对沿街商户有何管理要求"
 * is not answered by a Beijing notice however many words they share, and a lexical scorer cannot
 * tell. The gazetteer (`knowledge/places.json`: provinces and prefecture-level divisions with their
 * short names, from the National Bureau of Statistics via modood/Administrative-divisions-of-China)
 * finds the places a text names; a document whose title and lead name places, none of them the
 * question's (a city and its province agree), is marked down.
 */

const gazetteerSchema = z.object({
  provinces: z.array(z.object({ code: z.string().regex(/^\d{2}$/), name: z.string().min(2), short: z.string().min(2) })),
  cities: z.array(
    z.object({ code: z.string().regex(/^\d{4}$/), name: z.string().min(2), short: z.string().min(2).optional(), province: z.string().regex(/^\d{2}$/) }),
  ),
});

/** A place: its code (2 digits a province, 4 a prefecture) and, for a prefecture, its province. */
interface Place {
  code: string;
  province: string;
}

export interface Gazetteer {
  /** Codes of the places a text names (longest names first, so 吉林市 is not also 吉林省). */
  find(text: string): Place[];
}

export function createGazetteer(data: unknown): Gazetteer {
  const g = gazetteerSchema.parse(data);
  const names: Array<[string, Place]> = [];
  for (const p of g.provinces) {
    const place = { code: p.code, province: p.code };
    names.push([p.name, place], [p.short, place]);
  }
  for (const c of g.cities) {
    const place = { code: c.code, province: c.province };
    names.push([c.name, place]);
    if (c.short) names.push([c.short, place]);
  }
  names.sort((a, b) => b[0].length - a[0].length);
  return {
    find(text) {
      const found = new Map<string, Place>();
      let rest = text;
      for (const [name, place] of names) {
        if (!rest.includes(name)) continue;
        found.set(place.code, place);
        rest = rest.split(name).join('\u0000'); // a longer name's parts are not found again
      }
      return [...found.values()];
    },
  };
}

export const GAZETTEER = createGazetteer(placesData);

/**
 * Whether a document's places agree with the question's: `undefined` when either names no place
 * (nothing to judge), true when one place is the other, or a city of the other province.
 */
export function placesAgree(question: Place[], doc: Place[]): boolean | undefined {
  if (question.length === 0 || doc.length === 0) return undefined;
  for (const q of question) {
    for (const d of doc) {
      if (q.code === d.code) return true;
      if (q.code.length === 2 && d.province === q.code) return true;
      if (d.code.length === 2 && q.province === d.code) return true;
    }
  }
  return false;
}
