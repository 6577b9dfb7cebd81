"""Seeded random ELECTRA pairs with a small real Chinese vocabulary, saved in the HFL layout."""

from __future__ import annotations

from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHINESE = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
    "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提"
    "直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计"
    "别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海"
    "口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身"
    "车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青"
    "省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型"
    "眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严朋友唷玩法儿星期"
    "跟打算去找工作很高兴你好爱我"
)
ASCII = list("abcdefghijklmnopqrstuvwxyz0123456789") + ["##s", "##ing", "##ed", "##a"]
PUNCT = list("，。！？；：、“”‘’（）《》,.!?;:()-")


# Sentences that exercise alignment and batching: Latin words, emoji, an Extension B
# character ([UNK] in the vocabulary), different lengths, and no CJK at all.
SENTENCES = [
    "我跟我朋有打算去法国玩儿。",
    "今天 Hello world 很好，😀我们去公园𠀀。",
    "你好",
    "这是一个很长的句子，里面有很多字，用来检查批处理时的填充是否影响结果。",
    "ABC 123",
]


def vocabulary() -> list[str]:
    seen: dict[str, None] = {}
    for token in [*SPECIAL, *PUNCT, *ASCII, *CHINESE]:
        seen.setdefault(token, None)
    return list(seen)


def build_pair(directory: Path, *, seed: int = 0, safetensors: bool = True) -> tuple[Path, Path]:
    """Write `discriminator/` and `generator/` under `directory`; return their paths."""
    import torch
    from transformers import ElectraConfig, ElectraForMaskedLM, ElectraForPreTraining

    from electra_lsp.train.architectures import electra_config_kwargs

    vocab = vocabulary()
    paths = []
    for role, model_class in (("discriminator", ElectraForPreTraining),
                              ("generator", ElectraForMaskedLM)):
        torch.manual_seed(seed + (role == "generator"))
        config = ElectraConfig(**electra_config_kwargs("test", role, len(vocab), 128))
        model = model_class(config).eval()
        target = directory / role
        target.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(target)
        if not safetensors:  # transformers 5 always writes safetensors; write the pickle layout
            torch.save(model.state_dict(), target / "pytorch_model.bin")
            (target / "model.safetensors").unlink()
        (target / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
        (target / "tokenizer_config.json").write_text(
            '{"do_lower_case": true, "tokenize_chinese_chars": true}', encoding="utf-8")
        paths.append(target)
    return paths[0], paths[1]
