"""Median forward time of a UNet2DConditionModel-shaped network in PyTorch eager mode, built from a diffusers
config.json with random weights: the baseline that `latentflow bench-model --against-pytorch` measures beside its
own UNet, same architecture, batch, latent size and thread count. Timing does not depend on the weights' values.

Covers the SD 1.x / 2.x block types (CrossAttnDownBlock2D, DownBlock2D, UNetMidBlock2DCrossAttn, UpBlock2D,
CrossAttnUpBlock2D) with attention as batched products and a softmax. Prints one line: "median_ms <ms> min_ms <ms>".
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
    def __init__(self, cin, cout, temb, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.shortcut is None else self.shortcut(x)) + h


class Attention(nn.Module):
    def __init__(self, dim, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x, context):
        b, n, c = x.shape
        d = c // self.heads

        def heads(t):
            return t.reshape(b, -1, self.heads, d).transpose(1, 2).reshape(b * self.heads, -1, d)

        q, k, v = heads(self.to_q(x)), heads(self.to_k(context)), heads(self.to_v(context))
        scores = torch.baddbmm(torch.empty(q.shape[0], q.shape[1], k.shape[1]), q, k.transpose(1, 2),
                               beta=0, alpha=d ** -0.5)
        out = torch.bmm(scores.softmax(dim=-1), v)
        return self.to_out(out.reshape(b, self.heads, n, d).transpose(1, 2).reshape(b, n, c))


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


def main():
    parser = argparse.ArgumentParser()
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
    model = UNet(cfg).eval()
    context_dim = per_block(cfg.get("cross_attention_dim", 768), 1)[0]
    x = torch.randn(args.batch, cfg.get("in_channels", 4), args.height, args.width)
    t = torch.full((args.batch,), 500.0)
    context = torch.randn(args.batch, args.tokens, context_dim)
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.iterations):
            started = time.perf_counter()
            model(x, t, context)
            if i >= args.warmup:
                times.append((time.perf_counter() - started) * 1e3)
    print("median_ms %.3f min_ms %.3f threads %d torch %s" % (statistics.median(times), min(times),
                                                                 torch.get_num_threads(), torch.__version__))


if __name__ == "__main__":
    main()
