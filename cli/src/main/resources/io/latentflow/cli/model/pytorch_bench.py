"""Median forward time of a model component in PyTorch eager mode, built from its config.json with random weights:
the baseline that `latentflow bench-model --against-pytorch` measures beside its own component, same architecture,
batch, input size and thread count. Timing does not depend on the weights' values.

Components: a UNet2DConditionModel of the SD 1.x / 2.x block types (CrossAttnDownBlock2D, DownBlock2D,
UNetMidBlock2DCrossAttn, UpBlock2D, CrossAttnUpBlock2D), an AutoencoderKL's encoder (image to latent moments) or
decoder (latent to image), and a CLIP text model (token ids to hidden states). Attention is batched products and a
softmax. Prints one line: "median_ms <ms> min_ms <ms> threads <n> torch <version> params <n>".
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def per_block(value, count):
    return list(value) if isinstance(value, (list, tuple)) else [value] * count


class Resnet(nn.Module):
    """ResnetBlock2D; temb None: no time embedding (the VAE's blocks)."""

    def __init__(self, cin, cout, temb, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout) if temb else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.shortcut is None else self.shortcut(x)) + h


def attend(q, k, v, heads, mask=None):
    """Scaled dot-product attention of (B, N, C) queries over (B, M, C) keys and values, per head, as batched
    products and a softmax; mask (B * heads, N, M) is added to the scores."""
    b, n, c = q.shape
    d = c // heads

    def split(t):
        return t.reshape(b, -1, heads, d).transpose(1, 2).reshape(b * heads, -1, d)

    q, k, v = split(q), split(k), split(v)
    base = torch.empty(b * heads, n, k.shape[1]) if mask is None else mask
    scores = torch.baddbmm(base, q, k.transpose(1, 2), beta=0 if mask is None else 1, alpha=d ** -0.5)
    return torch.bmm(scores.softmax(dim=-1), v).reshape(b, heads, n, d).transpose(1, 2).reshape(b, n, c)


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context):
        return self.to_out(attend(self.to_q(x), self.to_k(context), self.to_v(context), self.heads))


class TransformerBlock(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads)
        self.attn2 = Attention(dim, context_dim, heads)
        self.geglu = nn.Linear(dim, dim * 8)
        self.ff_out = nn.Linear(dim * 4, dim)

    def forward(self, x, context):
        h = self.norm1(x)
        x = x + self.attn1(h, h)
        x = x + self.attn2(self.norm2(x), context)
        hidden, gate = self.geglu(self.norm3(x)).chunk(2, dim=-1)
        return x + self.ff_out(hidden * F.gelu(gate))


class Transformer2d(nn.Module):
    def __init__(self, channels, context_dim, heads, layers, groups, linear_projection):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=1e-6)
        self.linear = linear_projection
        self.proj_in = nn.Linear(channels, channels) if linear_projection else nn.Conv2d(channels, channels, 1)
        self.blocks = nn.ModuleList(TransformerBlock(channels, context_dim, heads) for _ in range(layers))
        self.proj_out = nn.Linear(channels, channels) if linear_projection else nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        b, c, hgt, wid = x.shape
        h = self.norm(x)
        if self.linear:
            h = self.proj_in(h.permute(0, 2, 3, 1).reshape(b, hgt * wid, c))
        else:
            h = self.proj_in(h).permute(0, 2, 3, 1).reshape(b, hgt * wid, c)
        for block in self.blocks:
            h = block(h, context)
        if self.linear:
            h = self.proj_out(h).reshape(b, hgt, wid, c).permute(0, 3, 1, 2)
        else:
            h = self.proj_out(h.reshape(b, hgt, wid, c).permute(0, 3, 1, 2).contiguous())
        return h + x


class UNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        channels = cfg["block_out_channels"]
        blocks = len(channels)
        groups, eps = cfg.get("norm_num_groups", 32), cfg.get("norm_eps", 1e-5)
        heads = per_block(cfg.get("num_attention_heads") or cfg.get("attention_head_dim", 8), blocks)
        context = per_block(cfg.get("cross_attention_dim", 768), blocks)
        depth = per_block(cfg.get("transformer_layers_per_block", 1), blocks)
        layers = cfg.get("layers_per_block", 2)
        linear = cfg.get("use_linear_projection", False)
        self.flip, self.shift = cfg.get("flip_sin_to_cos", True), cfg.get("freq_shift", 0)
        temb = channels[0] * 4
        self.conv_in = nn.Conv2d(cfg.get("in_channels", 4), channels[0], 3, padding=1)
        self.time_1, self.time_2 = nn.Linear(channels[0], temb), nn.Linear(temb, temb)

        def attention(i, c):
            return Transformer2d(c, context[i], heads[i], depth[i], groups, linear)

        self.down = nn.ModuleList()
        cin = channels[0]
        for i, kind in enumerate(cfg["down_block_types"]):
            cross = kind.startswith("CrossAttn")
            block = nn.ModuleList()
            for j in range(layers):
                block.append(Resnet(cin if j == 0 else channels[i], channels[i], temb, groups, eps))
                block.append(attention(i, channels[i]) if cross else nn.Identity())
            if i < blocks - 1:
                block.append(nn.Conv2d(channels[i], channels[i], 3, stride=2, padding=1))
            self.down.append(block)
            cin = channels[i]
        self.mid = nn.ModuleList([Resnet(cin, cin, temb, groups, eps), attention(blocks - 1, cin),
                                  Resnet(cin, cin, temb, groups, eps)])
        self.up = nn.ModuleList()
        rev, rev_heads = list(reversed(channels)), list(reversed(range(blocks)))
        out = rev[0]
        for i, kind in enumerate(cfg["up_block_types"]):
            prev, out, skip_in = out, rev[i], rev[min(i + 1, blocks - 1)]
            cross = kind.startswith("CrossAttn")
            block = nn.ModuleList()
            for j in range(layers + 1):
                skip = skip_in if j == layers else out
                block.append(Resnet((prev if j == 0 else out) + skip, out, temb, groups, eps))
                block.append(attention(rev_heads[i], out) if cross else nn.Identity())
            if i < blocks - 1:
                block.append(nn.Conv2d(out, out, 3, padding=1))
            self.up.append(block)
        self.norm_out = nn.GroupNorm(groups, channels[0], eps=eps)
        self.conv_out = nn.Conv2d(channels[0], cfg.get("out_channels", 4), 3, padding=1)

    def time_embedding(self, t):
        half = self.time_1.in_features // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - self.shift))
        args = t[:, None].float() * freqs[None]
        emb = torch.cat([torch.cos(args), torch.sin(args)] if self.flip else [torch.sin(args), torch.cos(args)], -1)
        return self.time_2(F.silu(self.time_1(emb)))

    @staticmethod
    def pairs(block):
        # (resnet, attention) pairs, then the resampling conv when there is one
        items = list(block)
        return [(items[k], items[k + 1]) for k in range(0, len(items) - 1, 2)], items[-1] if len(items) % 2 else None

    def forward(self, x, t, context):
        temb = self.time_embedding(t)
        h = self.conv_in(x)
        skips = [h]
        for block in self.down:
            pairs, down = self.pairs(block)
            for resnet, attn in pairs:
                h = resnet(h, temb)
                h = h if isinstance(attn, nn.Identity) else attn(h, context)
                skips.append(h)
            if down is not None:
                h = down(h)
                skips.append(h)
        h = self.mid[2](self.mid[1](self.mid[0](h, temb), context), temb)
        for block in self.up:
            pairs, up = self.pairs(block)
            for resnet, attn in pairs:
                h = resnet(torch.cat([h, skips.pop()], dim=1), temb)
                h = h if isinstance(attn, nn.Identity) else attn(h, context)
            if up is not None:
                h = up(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


class VaeAttention(nn.Module):
    """The mid block's single-head self-attention over the H*W positions, with its group norm and residual."""

    def __init__(self, channels, groups, eps):
        super().__init__()
        self.norm = nn.GroupNorm(groups, channels, eps=eps)
        self.to_q, self.to_k, self.to_v = (nn.Linear(channels, channels) for _ in range(3))
        self.to_out = nn.Linear(channels, channels)

    def forward(self, x):
        b, c, hgt, wid = x.shape
        h = self.norm(x).reshape(b, c, hgt * wid).transpose(1, 2)
        out = self.to_out(attend(self.to_q(h), self.to_k(h), self.to_v(h), 1))
        return out.transpose(1, 2).reshape(b, c, hgt, wid) + x


class VaeMid(nn.Module):
    def __init__(self, channels, groups, eps, attention):
        super().__init__()
        self.first = Resnet(channels, channels, None, groups, eps)
        self.second = Resnet(channels, channels, None, groups, eps)
        self.attention = VaeAttention(channels, groups, eps) if attention else nn.Identity()

    def forward(self, x):
        return self.second(self.attention(self.first(x)))


class VaeEncoder(nn.Module):
    """Encoder, then quant_conv: image (B, C, H, W) to the latent distribution's moments (B, 2 * latent, h, w)."""

    def __init__(self, cfg):
        super().__init__()
        channels, layers = cfg["block_out_channels"], cfg.get("layers_per_block", 2)
        groups, eps, latent = cfg.get("norm_num_groups", 32), 1e-6, cfg.get("latent_channels", 4)
        self.conv_in = nn.Conv2d(cfg.get("in_channels", 3), channels[0], 3, padding=1)
        self.blocks = nn.ModuleList()
        cin = channels[0]
        for i, cout in enumerate(channels):
            block = nn.ModuleList(Resnet(cin if j == 0 else cout, cout, None, groups, eps) for j in range(layers))
            if i < len(channels) - 1:
                block.append(nn.Conv2d(cout, cout, 3, stride=2))
            self.blocks.append(block)
            cin = cout
        self.mid = VaeMid(cin, groups, eps, cfg.get("mid_block_add_attention", True))
        self.norm_out = nn.GroupNorm(groups, cin, eps=eps)
        self.conv_out = nn.Conv2d(cin, 2 * latent, 3, padding=1)
        quant = cfg.get("use_quant_conv", True)
        self.quant_conv = nn.Conv2d(2 * latent, 2 * latent, 1) if quant else nn.Identity()

    def forward(self, x):
        h = self.conv_in(x)
        for block in self.blocks:
            for layer in block:
                # the downsampler pads right and bottom only, then convolves with stride 2
                h = layer(h) if isinstance(layer, Resnet) else layer(F.pad(h, (0, 1, 0, 1)))
        return self.quant_conv(self.conv_out(F.silu(self.norm_out(self.mid(h)))))


class VaeDecoder(nn.Module):
    """post_quant_conv, then the decoder: latents (B, latent, h, w) to an image (B, C, H, W)."""

    def __init__(self, cfg):
        super().__init__()
        channels, layers = list(reversed(cfg["block_out_channels"])), cfg.get("layers_per_block", 2)
        groups, eps, latent = cfg.get("norm_num_groups", 32), 1e-6, cfg.get("latent_channels", 4)
        quant = cfg.get("use_post_quant_conv", True)
        self.post_quant_conv = nn.Conv2d(latent, latent, 1) if quant else nn.Identity()
        self.conv_in = nn.Conv2d(latent, channels[0], 3, padding=1)
        self.mid = VaeMid(channels[0], groups, eps, cfg.get("mid_block_add_attention", True))
        self.blocks = nn.ModuleList()
        cin = channels[0]
        for i, cout in enumerate(channels):
            block = nn.ModuleList(Resnet(cin if j == 0 else cout, cout, None, groups, eps) for j in range(layers + 1))
            if i < len(channels) - 1:
                block.append(nn.Conv2d(cout, cout, 3, padding=1))
            self.blocks.append(block)
            cin = cout
        self.norm_out = nn.GroupNorm(groups, cin, eps=eps)
        self.conv_out = nn.Conv2d(cin, cfg.get("out_channels", 3), 3, padding=1)

    def forward(self, z):
        h = self.mid(self.conv_in(self.post_quant_conv(z)))
        for block in self.blocks:
            for layer in block:
                h = layer(h) if isinstance(layer, Resnet) else layer(F.interpolate(h, scale_factor=2.0,
                                                                                     mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


class Vae(nn.Module):
    """Both halves of the AutoencoderKL (so that its parameters are the model's); forward runs one of them."""

    def __init__(self, cfg, encode):
        super().__init__()
        self.encoder, self.decoder, self.encode = VaeEncoder(cfg), VaeDecoder(cfg), encode

    def forward(self, x):
        return self.encoder(x) if self.encode else self.decoder(x)


class ClipLayer(nn.Module):
    def __init__(self, dim, heads, intermediate, eps, act):
        super().__init__()
        self.heads, self.act = heads, act
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=eps), nn.LayerNorm(dim, eps=eps)
        self.q, self.k, self.v, self.out = (nn.Linear(dim, dim) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(dim, intermediate), nn.Linear(intermediate, dim)

    def forward(self, x, mask):
        h = self.norm1(x)
        x = x + self.out(attend(self.q(h), self.k(h), self.v(h), self.heads, mask))
        h = self.fc1(self.norm2(x))
        h = h * torch.sigmoid(1.702 * h) if self.act == "quick_gelu" else F.gelu(h)
        return x + self.fc2(h)


class ClipText(nn.Module):
    """CLIP text transformer (causal self-attention, pre-norm layers, final layer norm); pooled = the EOS position,
    projected by text_projection for CLIPTextModelWithProjection."""

    def __init__(self, cfg):
        super().__init__()
        dim, eps = cfg["hidden_size"], cfg.get("layer_norm_eps", 1e-5)
        self.token = nn.Embedding(cfg["vocab_size"], dim)
        self.position = nn.Embedding(cfg["max_position_embeddings"], dim)
        self.layers = nn.ModuleList(ClipLayer(dim, cfg["num_attention_heads"], cfg["intermediate_size"], eps,
                                              cfg.get("hidden_act", "quick_gelu"))
                                    for _ in range(cfg["num_hidden_layers"]))
        self.norm = nn.LayerNorm(dim, eps=eps)
        projected = "CLIPTextModelWithProjection" in cfg.get("architectures", [])
        self.projection = nn.Linear(dim, cfg.get("projection_dim", 512), bias=False) if projected else nn.Identity()

    def forward(self, ids):
        b, n = ids.shape
        x = self.token(ids) + self.position(torch.arange(n))[None]
        mask = torch.full((n, n), float("-inf")).triu(1).expand(b * self.layers[0].heads, n, n)
        for layer in self.layers:
            x = layer(x, mask)
        x = self.norm(x)
        return x, self.projection(x[torch.arange(b), ids.argmax(dim=-1)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--component", default="unet", choices=["unet", "vae-encode", "vae-decode", "text-encoder"])
    parser.add_argument("--config", required=True)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--height", type=int, default=64)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=77)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    with open(args.config) as f:
        cfg = json.load(f)
    torch.manual_seed(0)
    b, hgt, wid = args.batch, args.height, args.width
    if args.component == "unet":
        model = UNet(cfg)
        context_dim = per_block(cfg.get("cross_attention_dim", 768), 1)[0]
        inputs = (torch.randn(b, cfg.get("in_channels", 4), hgt, wid), torch.full((b,), 500.0),
                  torch.randn(b, args.tokens, context_dim))
    elif args.component == "vae-encode":
        model = Vae(cfg, encode=True)
        inputs = (torch.rand(b, cfg.get("in_channels", 3), hgt, wid) * 2 - 1,)
    elif args.component == "vae-decode":
        model = Vae(cfg, encode=False)
        inputs = (torch.randn(b, cfg.get("latent_channels", 4), hgt, wid),)
    else:
        model = ClipText(cfg)
        inputs = (torch.randint(0, cfg["vocab_size"], (b, cfg["max_position_embeddings"])),)
    model.eval()
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.iterations):
            started = time.perf_counter()
            model(*inputs)
            if i >= args.warmup:
                times.append((time.perf_counter() - started) * 1e3)
    print("median_ms %.3f min_ms %.3f threads %d torch %s params %d" % (
        statistics.median(times), min(times), torch.get_num_threads(), torch.__version__,
        sum(p.numel() for p in model.parameters())))

if __name__ == "__main__":
    main()
