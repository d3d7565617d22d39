/** The last third of the broken variants (see variants.ts). */
import { variantTests } from '../helpers/variants';

variantTests(2);
