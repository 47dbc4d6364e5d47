/** Device shadow of a bedside monitor: reported state, accepted desired changes. */
export * from './shadow-document.ts';
