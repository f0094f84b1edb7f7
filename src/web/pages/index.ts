// The demo index: says whether this browser has WebGPU before the visitor picks a page.
import { $, startEngine, setState } from '../lib/page.js';

startEngine($('banner')).then((eng) => { if (eng) setState('ready'); });
