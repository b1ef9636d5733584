/** The stopwatt release; kept equal to package.json's version (a test checks it). */
export const STOPWATT_VERSION = '0.1.0';
