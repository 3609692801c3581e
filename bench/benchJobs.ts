// A prompt as the ComfyUI web UI queues it: a small node graph plus, in extra_data, the whole UI workflow
// (extra_pnginfo, tens of KB), which ComfyUI echoes back in every /queue and /history answer.

/** The POST /prompt body for job `i`, its workflow about `workflowBytes` of JSON. */
export function benchPrompt(i: number, workflowBytes: number): unknown {
  const prompt = {
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: `a lighthouse on a cliff at dusk, job ${i}`, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry, low quality', clip: ['4', 1] } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 1024, batch_size: 1 } },
    '3': { class_type: 'KSampler', inputs: { seed: i, steps: 4, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'bench', images: ['8', 0] } },
  };
  const nodes = [];
  for (let id = 1; JSON.stringify(nodes).length < workflowBytes; id++) {
    nodes.push({
      id,
      type: 'KSampler',
      pos: [100 + id * 13, 200 + id * 7],
      size: [315, 262],
      flags: {},
      order: id,
      mode: 0,
      inputs: [{ name: 'model', type: 'MODEL', link: id * 2 }, { name: 'positive', type: 'CONDITIONING', link: id * 2 + 1 }],
      outputs: [{ name: 'LATENT', type: 'LATENT', links: [id * 3], slot_index: 0 }],
      properties: { 'Node name for S&R': 'KSampler' },
      widgets_values: [i, 'randomize', 4, 7, 'euler', 'normal', 1],
    });
  }
  return { prompt, client_id: 'bench-json-reads', extra_data: { extra_pnginfo: { workflow: { last_node_id: nodes.length, last_link_id: nodes.length * 3, nodes, links: [], groups: [], config: {}, version: 0.4 } } } };
}
