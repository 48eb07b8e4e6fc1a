export { createIntentClassifier, fillTemplate, type IntentClassifier, type IntentResult } from './classifier.js';
export { IntentDataError, parseIntentFiles, type IntentData, type IntentDefinition, type IntentFileText } from './schema.js';
export { normalizeText } from './normalize.js';
