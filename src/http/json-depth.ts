// A limit on how deeply a JSON body may nest. JSON.parse copes with any depth, but whatever later
// walks the value recursively (JSON.stringify when it is stored, validators) overflows the stack on
// a few thousand levels; no request of either dialect needs more than a handful.
const MAX_JSON_DEPTH = 64;

/** Whether `value` nests deeper than `max` arrays/objects (checked without recursion). */
export function nestsDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** The error a body parser hands Fastify for a body nested too deeply: a 400-class input error. */
export function tooDeepError(): Error {
  return Object.assign(new Error(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`), { statusCode: 400 });
}
