/// <reference types="node" preserve="true" />
/** `preset: 'inklink-mock'` in a Jest config: Jest loads this file (see ./jest.ts). */
import { jestPreset } from './jest';

export = jestPreset;
