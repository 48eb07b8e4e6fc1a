import type { Settings } from 'meilisearch';

/** Words that carry no meaning for retrieval: question and filler words. */
export const QUESTION_STOP_WORDS = [
  '请问', '你好', '您好', '怎么', '怎样', '如何', '什么', '哪些', '哪里', '哪个', '是否', '能否', '可以', '能不能',
  '可不可以', '吗', '呢', '吧', '啊', '呀', '的', '了', '么', '咋', '咋办', '怎么办', '一下', '我想', '想问',
];

/**
 * Settings of the passage index, configured in code so every index (live, reindex, eval)
 * is identical. No `synonyms`: query understanding rewrites colloquial terms itself (the word
 * search is sent the official wording), and the synonym file as a Meilisearch setting made every
 * word search about half as slow again for no measured gain (docs/benchmarks.md, session 15).
 */
export function passageIndexSettings(): Settings {
  return {
    searchableAttributes: ['title', 'headingsText', 'text', 'context'],
    displayedAttributes: ['*'],
    filterableAttributes: ['type', 'departments', 'status', 'publishedTs', 'docId', 'topics', 'interprets'],
    sortableAttributes: ['publishedTs', 'order'],
    localizedAttributes: [{ attributePatterns: ['*'], locales: ['cmn'] }],
    stopWords: QUESTION_STOP_WORDS,
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'exactness', 'sort'],
    typoTolerance: { enabled: false },
    pagination: { maxTotalHits: 200 },
  };
}
