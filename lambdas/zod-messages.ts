/**
 * zod/mini carries no error messages: without a locale every issue reads "Invalid input". English,
 * the one zod classic installs, is set here for every schema (mini and classic share zod's core
 * config), and no other locale is bundled. Imported by the modules that turn issues into text.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
