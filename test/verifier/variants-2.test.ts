/** The second third of the broken variants (see variants.ts). */
import { variantTests } from './variants';

variantTests(1);
