"""Tiny StyleGAN2-shaped networks that pickle in the layout of the official snapshots (spec section 7):
persistent objects as REDUCE(torch_utils.persistence._reconstruct_persistent_obj, (meta,)), tensors through
torch's own reducers. The module classes are written for this test (no NVIDIA code)."""
import pickletools

import numpy as np
import torch

from fake_modules import MODULE_SRC, EasyDict, _reconstruct_persistent_obj

# --- tiny networks in the official layout ------------------------------------------------------------------

class Persistent(torch.nn.Module):
    """Pickles like torch_utils.persistence: REDUCE(_reconstruct_persistent_obj, (meta,)), no BUILD."""

    def __reduce__(self):
        meta = dict(type="class", version=6, module_src=MODULE_SRC, class_name=type(self).__name__,
                    state=self.__dict__)
        return _reconstruct_persistent_obj, (meta,)

    def init_args(self, **kwargs):  # the decorator stores these after the constructor ran
        self._init_args = ()
        self._init_kwargs = kwargs


def persistent_class(name):
    return type(name, (Persistent,), {})


(Generator, MappingNetwork, FullyConnectedLayer, SynthesisNetwork, SynthesisBlock, SynthesisLayer, ToRGBLayer,
 Discriminator, DiscriminatorBlock, Conv2dLayer, DiscriminatorEpilogue, MinibatchStdLayer, AugmentPipe,
 SynthesisInput) = map(persistent_class, [
    "Generator", "MappingNetwork", "FullyConnectedLayer", "SynthesisNetwork", "SynthesisBlock", "SynthesisLayer",
    "ToRGBLayer", "Discriminator", "DiscriminatorBlock", "Conv2dLayer", "DiscriminatorEpilogue",
    "MinibatchStdLayer", "AugmentPipe", "SynthesisInput"])


def param(*shape):
    return torch.nn.Parameter(torch.randn(*shape), requires_grad=False)


def filt():
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = f[:, None] * f[None, :]
    return f / f.sum()


def fc(in_features, out_features, activation="linear", bias=True):
    m = FullyConnectedLayer()
    m.weight = param(out_features, in_features)
    m.bias = param(out_features) if bias else None
    m.activation = activation
    m.weight_gain = np.float64(1 / np.sqrt(in_features))
    m.bias_gain = 1
    m.init_args(in_features=in_features, out_features=out_features, activation=activation)
    return m


def conv(in_channels, out_channels, kernel, activation="lrelu", bias=True, up=1, down=1):
    m = Conv2dLayer()
    m.weight = param(out_channels, in_channels, kernel, kernel)
    m.bias = param(out_channels) if bias else None
    m.register_buffer("resample_filter", filt())
    m.activation, m.up, m.down, m.conv_clamp, m.padding = activation, up, down, None, kernel // 2
    m.weight_gain = np.float64(1 / np.sqrt(in_channels * kernel * kernel))
    m.act_gain = np.float64(np.sqrt(2)) if activation == "lrelu" else 1
    m.init_args(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel)
    return m


def synthesis_layer(in_channels, out_channels, w_dim, resolution, up):
    m = SynthesisLayer()
    m.affine = fc(w_dim, in_channels)
    m.weight = param(out_channels, in_channels, 3, 3)
    m.noise_strength = torch.nn.Parameter(torch.tensor(0.25), requires_grad=False)  # 0-dim
    m.bias = param(out_channels)
    m.register_buffer("resample_filter", filt())
    m.register_buffer("noise_const", torch.randn(resolution, resolution))
    m.resolution, m.up, m.use_noise, m.activation, m.conv_clamp, m.padding = resolution, up, True, "lrelu", None, 1
    m.act_gain = np.float64(np.sqrt(2))
    m.init_args(in_channels=in_channels, out_channels=out_channels, w_dim=w_dim, resolution=resolution)
    return m


def torgb(in_channels, img_channels, w_dim):
    m = ToRGBLayer()
    m.affine = fc(w_dim, in_channels)
    m.weight = param(img_channels, in_channels, 1, 1)
    m.bias = param(img_channels)
    m.conv_clamp = None
    m.weight_gain = np.float64(1 / np.sqrt(in_channels))
    m.init_args(in_channels=in_channels, out_channels=img_channels, w_dim=w_dim)
    return m


def generator(resolution, channels, w_dim=8, img_channels=3, mapping_layers=2, nhwc_block=None):
    g = Generator()
    g.z_dim, g.c_dim, g.w_dim, g.img_resolution, g.img_channels = w_dim, 0, w_dim, resolution, img_channels
    s = SynthesisNetwork()
    s.w_dim, s.img_resolution, s.img_resolution_log2, s.img_channels = w_dim, resolution, int(np.log2(resolution)), 3
    s.block_resolutions = [2**i for i in range(2, s.img_resolution_log2 + 1)]
    for r in s.block_resolutions:
        b = SynthesisBlock()
        b.in_channels = 0 if r == 4 else channels
        b.w_dim, b.resolution, b.img_channels, b.is_last = w_dim, r, img_channels, r == resolution
        b.architecture, b.use_fp16, b.channels_last, b.num_conv, b.num_torgb = "skip", False, False, 0, 0
        if r == 4:
            b.const = param(channels, 4, 4)
        b.register_buffer("resample_filter", filt())
        if r > 4:
            b.conv0 = synthesis_layer(channels, channels, w_dim, r, 2)
            b.num_conv += 1
        b.conv1 = synthesis_layer(channels, channels, w_dim, r, 1)
        b.torgb = torgb(channels, img_channels, w_dim)
        b.num_conv, b.num_torgb = b.num_conv + 1, 1
        if r == nhwc_block:  # --nhwc: a channels_last weight, non-contiguous strides
            w = b.conv1.weight
            w.data = w.data.contiguous(memory_format=torch.channels_last)
        b.init_args(in_channels=b.in_channels, out_channels=channels, w_dim=w_dim, resolution=r)
        setattr(s, "b%d" % r, b)
    s.num_ws = 2 * len(s.block_resolutions)
    s.init_args(w_dim=w_dim, img_resolution=resolution, img_channels=img_channels)
    g.synthesis = s
    g.num_ws = s.num_ws
    m = MappingNetwork()
    m.z_dim, m.c_dim, m.w_dim, m.num_ws, m.num_layers, m.w_avg_beta = w_dim, 0, w_dim, s.num_ws, mapping_layers, 0.995
    for i in range(mapping_layers):
        setattr(m, "fc%d" % i, fc(w_dim, w_dim, "lrelu"))
    m.register_buffer("w_avg", torch.randn(w_dim))
    m.init_args(z_dim=w_dim, c_dim=0, w_dim=w_dim, num_ws=s.num_ws, num_layers=mapping_layers)
    g.mapping = m
    g.init_args(z_dim=w_dim, c_dim=0, w_dim=w_dim, img_resolution=resolution, img_channels=img_channels,
                mapping_kwargs=EasyDict(num_layers=mapping_layers),
                synthesis_kwargs=EasyDict(channel_base=channels * resolution, channel_max=channels,
                                          num_fp16_res=0, conv_clamp=None, architecture="skip"))
    return g


def discriminator(resolution, channels, img_channels=3, freeze_fromrgb=True):
    d = Discriminator()
    d.c_dim, d.img_resolution, d.img_resolution_log2, d.img_channels = 0, resolution, int(np.log2(resolution)), 3
    d.block_resolutions = [2**i for i in range(d.img_resolution_log2, 2, -1)]
    for r in d.block_resolutions:
        b = DiscriminatorBlock()
        b.in_channels = 0 if r == resolution else channels
        b.resolution, b.img_channels, b.first_layer_idx, b.architecture = r, img_channels, 0, "resnet"
        b.use_fp16, b.channels_last, b.num_layers = False, False, 0
        b.register_buffer("resample_filter", filt())
        if r == resolution:
            b.fromrgb = conv(img_channels, channels, 1)
            if freeze_fromrgb:  # Freeze-D: frozen weights live in _buffers under the same names
                for key in ("weight", "bias"):
                    t = b.fromrgb._parameters.pop(key)
                    b.fromrgb.register_buffer(key, t.data)
        b.conv0 = conv(channels, channels, 3)
        b.conv1 = conv(channels, channels, 3, down=2)
        b.skip = conv(channels, channels, 1, activation="linear", bias=False, down=2)
        b.num_layers = 3
        b.init_args(in_channels=b.in_channels, tmp_channels=channels, out_channels=channels, resolution=r)
        setattr(d, "b%d" % r, b)
    e = DiscriminatorEpilogue()
    e.in_channels, e.cmap_dim, e.resolution, e.img_channels, e.architecture = channels, 0, 4, img_channels, "resnet"
    e.mbstd = MinibatchStdLayer()
    e.mbstd.group_size, e.mbstd.num_channels = 2, 1
    e.mbstd.init_args(group_size=2, num_channels=1)
    e.conv = conv(channels + 1, channels, 3)
    e.fc = fc(channels * 16, channels, "lrelu")
    e.out = fc(channels, 1)
    e.init_args(in_channels=channels, cmap_dim=0, resolution=4)
    d.b4 = e
    d.init_args(c_dim=0, img_resolution=resolution, img_channels=img_channels)
    return d


def augment_pipe():
    a = AugmentPipe()
    a.xflip, a.rotate90, a.xint = 1.0, 1.0, 1.0
    a.register_buffer("p", torch.zeros([]))
    a.init_args(xflip=1, rotate90=1, xint=1)
    return a


def snapshot(resolution, channels, nhwc_block=None):
    torch.manual_seed(resolution * 100 + channels)
    g = generator(resolution, channels, nhwc_block=nhwc_block)
    d = discriminator(resolution, channels)
    g_ema = generator(resolution, channels, nhwc_block=nhwc_block)
    for module in (g, d, g_ema):
        module.eval().requires_grad_(False)
    kwargs = EasyDict(class_name="training.dataset.ImageFolderDataset", path="~/datasets/tiny.zip",
                      use_labels=False, max_size=8, xflip=False, resolution=resolution)
    return dict(training_set_kwargs=dict(kwargs), G=g, D=d, G_ema=g_ema, augment_pipe=augment_pipe())


def expected_network(net):
    def plain(v):
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, (list, tuple)):
            return [plain(i) for i in v]
        if isinstance(v, dict):
            return {k: plain(i) for k, i in v.items()}
        return v

    tensors = {}
    for name, t in list(net.named_parameters()) + list(net.named_buffers()):
        tensors[name] = dict(shape=list(t.shape), stride=list(t.stride()), offset=t.storage_offset(),
                             dtype=str(t.dtype).replace("torch.", ""), sum=float(t.double().sum()),
                             first=float(t.flatten()[0]))
    return dict(
        class_name=type(net).__name__,
        module_classes={path: type(m).__name__ for path, m in net.named_modules()},
        module_attributes={path: {k: plain(v) for k, v in m.__dict__.items() if not k.startswith("_") and k != "training"}
                           for path, m in net.named_modules()},
        init_kwargs=plain(net._init_kwargs),
        tensors=tensors)


SPEC_GLOBALS = {
    ("torch_utils.persistence", "_reconstruct_persistent_obj"), ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_tensor_v2"),
    ("torch.storage", "_load_from_bytes"), ("numpy.core.multiarray", "scalar"), ("numpy", "dtype"),
    ("dnnlib.util", "EasyDict"),
}


def globals_of(data):
    """(module, name) of every GLOBAL / STACK_GLOBAL in a pickle, from pickletools' opcode stream."""
    found, tail, memo = set(), [], {}  # tail: recent pushes (str or None), enough for STACK_GLOBAL
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            found.add(tuple(arg.split(" ", 1)))
        elif op.name == "STACK_GLOBAL":
            found.add((tail[-2], tail[-1]))
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            tail.append(arg)
        elif op.name in ("GET", "BINGET", "LONG_BINGET"):
            tail.append(memo.get(arg))
        elif op.name == "MEMOIZE":
            memo[len(memo)] = tail[-1] if tail else None
        elif op.name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = tail[-1] if tail else None
        else:
            tail.append(None)
    return found


def check_official_layout(data):
    found = globals_of(data)
    assert found == SPEC_GLOBALS, sorted(found ^ SPEC_GLOBALS)


def stylegan3_generator(with_input=True):
    g = generator(4, 4)
    s = g.synthesis
    for name in list(s._modules):
        del s._modules[name]
    if with_input:
        i = SynthesisInput()
        i.weight = param(4, 4)
        for name, shape in (("transform", [3, 3]), ("freqs", [4, 2]), ("phases", [4])):
            i.register_buffer(name, torch.randn(*shape))
        s.input = i
    for name in ("L0_36_4", "L1_36_4"):
        layer = SynthesisLayer()
        layer.weight = param(4, 4, 3, 3)
        for buf in ("magnitude_ema", "up_filter", "down_filter"):
            layer.register_buffer(buf, torch.ones([]))
        setattr(s, name, layer)
    return g
