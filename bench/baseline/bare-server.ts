// The bare baseline: the same Fastify version as Quire, default options, in its own node process on
// loopback, answering constants on Quire's routes. Benches compare Quire's rate with this one's in
// the same run, so the ratio says what Quire's own work costs on top of the framework.
//
// Bodies come from the environment (BARE_GET_JSON, BARE_CREATE_JSON) so they match the size and
// shape of what Quire answered in the same run. They are returned as objects, so Fastify serializes
// them on every request, as it does for Quire's handlers.
import Fastify from 'fastify';

const getBody: unknown = JSON.parse(process.env.BARE_GET_JSON ?? '{}');
const createBody: unknown = JSON.parse(process.env.BARE_CREATE_JSON ?? '{}');

const app = Fastify();
app.get('/PCCIS/V1/ViewingSession/:sid', async () => getBody);
// The default JSON parser reads the creation body, as Quire's does.
app.post('/PCCIS/V1/ViewingSession', async () => createBody);

// Uploads: read the whole body and throw it away.
app.register(async (raw) => {
  raw.removeAllContentTypeParsers();
  raw.addContentTypeParser('*', (_req, _payload, done) => done(null));
  raw.put('/PCCIS/V1/ViewingSession/:sid/SourceFile', async (req, reply) => {
    for await (const _chunk of req.raw);
    return reply.code(200).send();
  });
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`bare ready on ${address}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
