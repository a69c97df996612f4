/**
 * What Bedrock refuses in a Converse request, through the real JS SDK over real sockets (issue 24,
 * item 8), and additionalModelResponseFieldPaths (item 9). Each case names the AWS behaviour it
 * mirrors: a shape in botocore's bedrock-runtime service-2.json (2023-09-30), or a refusal seen on
 * Bedrock as docs/emulator-validation.md records it.
 */
import { readFileSync } from 'node:fs';
import {
  type ContentBlock,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { HAIKU, sdkClient } from '../helpers/emulator-clients.js';

const used = useEmulator();
const client = () => sdkClient(used.emulator.url, 'h2');
const converse = (input: Omit<ConverseCommandInput, 'modelId'>, modelId = HAIKU) =>
  client().send(new ConverseCommand({ modelId, ...input }));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode,
      message: e.message,
    }),
  );
const refused = (message: string) => ({ name: 'ValidationException', status: 400, message });
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/attachments/${name}`, import.meta.url));
const PNG = fixture('login-error.png');
const JPEG = fixture('python-logo.jpg');
const GIF = fixture('python-logo.gif');
const WEBP = fixture('python-logo.webp');
const withBlock = (block: unknown): Message[] => [
  { role: 'user', content: [{ text: 'look' }, block as ContentBlock] },
];
const image = (format: string, bytes: Uint8Array) => ({ image: { format, source: { bytes } } });
const document = (name: string, format = 'txt') => ({
  document: { name, format, source: { bytes: Buffer.from('one two') } },
});
const IMAGE_AT = "Value at 'messages.1.member.content.2.member.image.format'";

describe('image blocks', () => {
  it('takes png, jpeg, gif and webp whose bytes are that format', async () => {
    // botocore ImageFormat enum [png, jpeg, gif, webp]
    for (const [format, bytes] of [
      ['png', PNG],
      ['jpeg', JPEG],
      ['gif', GIF],
      ['webp', WEBP],
    ] as const)
      expect((await converse({ messages: withBlock(image(format, bytes)) })).stopReason, format).toBe(
        'end_turn',
      );
  });

  it.each(['jpg', 'JPEG', 'bmp'])('refuses the format %s with the enum constraint', async (format) => {
    // botocore ImageFormat is an enum, case-sensitive; Bedrock lists the set sorted and leaves the
    // value out inside messages ("Value at 'messages.1.member.content.2.member.image.format'").
    expect(await failure(converse({ messages: withBlock(image(format, JPEG)) }))).toEqual(
      refused(
        `1 validation error detected: ${IMAGE_AT} failed to satisfy constraint: Member must satisfy enum value set: [gif, jpeg, png, webp]`,
      ),
    );
  });

  it('refuses the same on ConverseStream, before the stream opens', async () => {
    // botocore ConverseStreamRequest takes the same Messages shape.
    const stream = client().send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: withBlock(image('jpg', JPEG)) }),
    );
    expect(await failure(stream)).toEqual(
      refused(
        `1 validation error detected: ${IMAGE_AT} failed to satisfy constraint: Member must satisfy enum value set: [gif, jpeg, png, webp]`,
      ),
    );
  });

  it('refuses bytes of another format, or no image at all, as the model does', async () => {
    // Observed on Bedrock with Claude: "The model returned the following errors: messages.0.content.0.
    // image.source.bytes: The image was specified using the image/jpeg media type, but the image
    // appears to be a image/png image".
    expect(await failure(converse({ messages: withBlock(image('jpeg', PNG)) }))).toEqual(
      refused(
        'The model returned the following errors: messages.0.content.1.image.source.bytes: The image was specified using the image/jpeg media type, but the image appears to be a image/png image',
      ),
    );
    expect(
      await failure(converse({ messages: withBlock(image('png', Buffer.from('not an image'))) })),
    ).toEqual(
      refused(
        'The model returned the following errors: messages.0.content.1.image.source.bytes: Could not process image',
      ),
    );
    // Llama's wording (boto3 issue 4415) for the other families.
    expect(
      await failure(converse({ messages: withBlock(image('gif', PNG)) }, 'us.amazon.nova-lite-v1:0')),
    ).toEqual(
      refused(
        'The model returned the following errors: The provided image does not match the specified image format.',
      ),
    );
  });

  it('refuses an image with no source, and a message with no content', async () => {
    // botocore ImageBlock: required [format, source]; Message: required [role, content].
    expect(await failure(converse({ messages: withBlock({ image: { format: 'png' } }) }))).toEqual(
      refused(
        "1 validation error detected: Value null at 'messages.1.member.content.2.member.image.source' failed to satisfy constraint: Member must not be null",
      ),
    );
    expect(await failure(converse({ messages: [{ role: 'user' } as Message] }))).toEqual(
      refused(
        "1 validation error detected: Value null at 'messages.1.member.content' failed to satisfy constraint: Member must not be null",
      ),
    );
  });

  it('checks the images and documents inside a tool result too', async () => {
    // botocore ToolResultContentBlock: image (ImageBlock), document (DocumentBlock).
    const toolConfig = { tools: [{ toolSpec: { name: 'shot', inputSchema: { json: { type: 'object' } } } }] };
    const messages = (inner: unknown): Message[] => [
      { role: 'user', content: [{ text: 'take a screenshot' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'shot', input: {} } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [inner as never] } }] },
    ];
    expect(await failure(converse({ toolConfig, messages: messages(image('jpg', JPEG)) }))).toEqual(
      refused(
        "1 validation error detected: Value at 'messages.3.member.content.1.member.toolResult.content.1.member.image.format' failed to satisfy constraint: Member must satisfy enum value set: [gif, jpeg, png, webp]",
      ),
    );
    expect((await failure(converse({ toolConfig, messages: messages(document('a.b')) })))?.message).toMatch(
      /^The document file name can only contain/,
    );
    expect((await converse({ toolConfig, messages: messages(image('jpeg', JPEG)) })).stopReason).toBe(
      'end_turn',
    );
  });

  it('reports every violation of a request at once', async () => {
    // Bedrock's front door collects violations: "2 validation errors detected: ...; ...".
    const out = await failure(
      converse({
        messages: [
          {
            role: 'user',
            content: [{ text: 'x' }, image('jpg', PNG) as never, { image: { format: 'png' } } as never],
          },
        ],
      }),
    );
    expect(out?.message).toMatch(
      /^2 validation errors detected: Value at 'messages\.1\.member\.content\.2\.member\.image\.format'.*; Value null at 'messages\.1\.member\.content\.3\.member\.image\.source'/,
    );
  });
});

describe('document blocks', () => {
  const NAME_RULE =
    "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.";

  it('takes names of the documented characters (and underscores, which Bedrock takes)', async () => {
    // botocore DocumentBlock.name documentation; underscores seen accepted live (vercel/ai #20366).
    for (const name of ['report', 'Q3 report (final) [v2]', 'a-b_c', ' padded ', 'x'.repeat(200)])
      expect((await converse({ messages: withBlock(document(name)) })).stopReason, name).toBe('end_turn');
  });

  it.each([
    ['a dot', 'report.pdf'],
    ['two spaces in a row', 'Report -  Final'],
    ['a tab', 'a\tb'],
    ['an apostrophe', "John's report"],
    ['non-ASCII', 'résumé'],
  ])('refuses a name with %s', async (_what, name) => {
    // The wording Bedrock answers (simonw/llm-bedrock #8, vercel/ai #20365).
    expect(await failure(converse({ messages: withBlock(document(name)) }))).toEqual(refused(NAME_RULE));
  });

  it('refuses documents without a text block beside them', async () => {
    // botocore Message.content documentation ("you must also include a ContentBlock with a text
    // field"); wording seen on Bedrock (BerriAI/litellm #36499, maximhq/bifrost #5817).
    const alone: Message[] = [{ role: 'user', content: [document('notes') as ContentBlock] }];
    expect(await failure(converse({ messages: alone }))).toEqual(
      refused('A text block must be included when using documents. Add a text block and retry your request.'),
    );
  });

  it('refuses a source with none of its members set', async () => {
    // botocore DocumentSource/ImageSource are unions; wording seen on Bedrock (maximhq/bifrost #7072):
    // "DocumentSource object at messages.0.content.1.document.source must set one of the following keys: ...".
    const empty = { document: { name: 'notes', format: 'txt', source: {} } };
    expect(await failure(converse({ messages: withBlock(empty) }))).toEqual(
      refused(
        'DocumentSource object at messages.0.content.1.document.source must set one of the following keys: bytes, s3Location, text, content.',
      ),
    );
    expect(
      await failure(converse({ messages: withBlock({ image: { format: 'png', source: {} } }) })),
    ).toEqual(
      refused(
        'ImageSource object at messages.0.content.1.image.source must set one of the following keys: bytes, s3Location.',
      ),
    );
  });

  it('refuses a name over 200 characters, a format outside the enum, and a missing name', async () => {
    // botocore DocumentBlockNameString: min 1, max 200; DocumentFormat enum; DocumentBlock required [name, source].
    const at = "'messages.1.member.content.2.member.document";
    expect(await failure(converse({ messages: withBlock(document('x'.repeat(201))) }))).toEqual(
      refused(
        `1 validation error detected: Value at ${at}.name' failed to satisfy constraint: Member must have length less than or equal to 200`,
      ),
    );
    expect(await failure(converse({ messages: withBlock(document('notes', 'json')) }))).toEqual(
      refused(
        `1 validation error detected: Value at ${at}.format' failed to satisfy constraint: Member must satisfy enum value set: [csv, doc, docx, html, md, pdf, txt, xls, xlsx]`,
      ),
    );
    const noName = { document: { format: 'txt', source: { bytes: Buffer.from('x') } } };
    expect(await failure(converse({ messages: withBlock(noName) }))).toEqual(
      refused(
        `1 validation error detected: Value null at ${at}.name' failed to satisfy constraint: Member must not be null`,
      ),
    );
  });
});

describe('requestMetadata', () => {
  const PATTERN = '[a-zA-Z0-9\\s:_@$#=/+,-.]';
  it('takes up to 16 entries of the documented characters', async () => {
    // botocore RequestMetadata: map, min 1, max 16; key 1..256, value 0..256, pattern above.
    const sixteen = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`team:k${i}`, 'a/b=c, d@e.f']));
    expect(
      (await converse({ messages: withBlock({ text: 'x' }), requestMetadata: sixteen })).stopReason,
    ).toBe('end_turn');
    expect(
      (await converse({ messages: withBlock({ text: 'x' }), requestMetadata: { k: '' } })).stopReason,
    ).toBe('end_turn');
  });

  it('refuses 17 entries, a key or a value outside the pattern', async () => {
    const seventeen = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    expect(
      await failure(converse({ messages: withBlock({ text: 'x' }), requestMetadata: seventeen })),
    ).toEqual(
      refused(
        "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Member must have length less than or equal to 16",
      ),
    );
    expect(
      await failure(converse({ messages: withBlock({ text: 'x' }), requestMetadata: { 'bad!key': 'v' } })),
    ).toEqual(
      refused(
        `1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ${PATTERN}{1,256}]`,
      ),
    );
    expect(
      await failure(
        converse({ messages: withBlock({ text: 'x' }), requestMetadata: { k: 'x'.repeat(257) } }),
      ),
    ).toEqual(
      refused(
        `1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: ${PATTERN}{0,256}]`,
      ),
    );
  });
});

describe('additionalModelResponseFieldPaths', () => {
  const ask = { messages: withBlock({ text: 'tell me a story' }) };

  it('returns /stop_sequence for Claude: the matched sequence, or null', async () => {
    // botocore ConverseRequest.additionalModelResponseFieldPaths documentation ([ "/stop_sequence" ]);
    // reference section 2.2: "additionalModelResponseFields": {"stop_sequence": null}.
    const plain = await converse({ ...ask, additionalModelResponseFieldPaths: ['/stop_sequence'] });
    expect(plain.additionalModelResponseFields).toEqual({ stop_sequence: null });
    const stopped = await converse({
      ...ask,
      inferenceConfig: { stopSequences: ['e'] },
      additionalModelResponseFieldPaths: ['/stop_sequence'],
    });
    expect(stopped.stopReason).toBe('stop_sequence');
    expect(stopped.additionalModelResponseFields).toEqual({ stop_sequence: 'e' });
    expect((await converse(ask)).additionalModelResponseFields).toBeUndefined();
  });

  it('ignores a valid pointer to a field the response lacks, and other families', async () => {
    // botocore: "if the JSON Pointer is valid, but the requested field is not in the model response, it is ignored".
    expect(
      (await converse({ ...ask, additionalModelResponseFieldPaths: ['/nope'] }))
        .additionalModelResponseFields,
    ).toBeUndefined();
    const nova = await converse(
      { ...ask, additionalModelResponseFieldPaths: ['/stop_sequence'] },
      'us.amazon.nova-lite-v1:0',
    );
    expect(nova.additionalModelResponseFields).toBeUndefined();
  });

  it('sends the fields in ConverseStream messageStop', async () => {
    // botocore MessageStopEvent: {stopReason, additionalModelResponseFields}.
    const out = await client().send(
      new ConverseStreamCommand({
        modelId: HAIKU,
        ...ask,
        additionalModelResponseFieldPaths: ['/stop_sequence'],
      }),
    );
    const stops: unknown[] = [];
    for await (const event of out.stream ?? []) if (event.messageStop) stops.push(event.messageStop);
    expect(stops).toEqual([
      { stopReason: 'end_turn', additionalModelResponseFields: { stop_sequence: null } },
    ]);
  });

  it('refuses an empty pointer, a malformed one, and more than 10', async () => {
    // botocore: list max 10, members 1..256; "reject an empty JSON Pointer or incorrectly structured JSON Pointer with a 400".
    expect(await failure(converse({ ...ask, additionalModelResponseFieldPaths: [''] }))).toEqual(
      refused(
        "1 validation error detected: Value '[]' at 'additionalModelResponseFieldPaths' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1]",
      ),
    );
    expect(
      await failure(converse({ ...ask, additionalModelResponseFieldPaths: ['stop_sequence'] })),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining('invalid JSON Pointer: stop_sequence'),
    });
    const eleven = Array.from({ length: 11 }, (_, i) => `/f${i}`);
    expect((await failure(converse({ ...ask, additionalModelResponseFieldPaths: eleven })))?.message).toMatch(
      /^1 validation error detected: Value '\[\/f0, .*\/f10\]' at 'additionalModelResponseFieldPaths' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
  });
});
