// Server-sent event frames from a fetch response's body. The survivor's page and the console both
// read the relay's live streams with fetch (so the token goes in a header, never in a URL), and
// both read frames here.

/// Yields `{ name, data }` for each frame that has an event name; `data` is the frame's JSON, or
/// `{}` when it has none or it does not parse. Stopping early cancels the body.
export async function* eventFrames(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { return; }
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const name = (frame.match(/^event: (.*)$/m) || [])[1];
        if (!name) { continue; }
        let data = {};
        try { data = JSON.parse((frame.match(/^data: (.*)$/m) || [])[1] || "{}"); } catch (_) { data = {}; }
        yield { name, data };
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
