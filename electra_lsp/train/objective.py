"""ELECTRA's loss: generator MLM at masked positions + weighted replaced-token detection."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from electra_lsp.train.batches import Batch


@dataclass
class TensorBatch:
    original: torch.Tensor
    attention: torch.Tensor
    real: torch.Tensor
    generator_input: torch.Tensor
    masked: torch.Tensor
    discriminator_input: torch.Tensor
    sample_here: torch.Tensor

    @classmethod
    def of(cls, batch: Batch, device: torch.device) -> TensorBatch:
        def put(array) -> torch.Tensor:
            return torch.from_numpy(array).to(device, non_blocking=True)

        plan = batch.plan
        return cls(put(batch.original), put(batch.attention), put(batch.real),
                   put(plan.generator_input), put(plan.masked), put(plan.discriminator_input),
                   put(plan.sample_here))


def masked_logits(gen, input_ids: torch.Tensor, attention: torch.Tensor,
                  masked: torch.Tensor) -> torch.Tensor:
    """Vocabulary logits at masked positions only ([n_masked, vocab]): the LM head over every
    position would cost more than the whole small generator."""
    hidden = gen.electra(input_ids=input_ids, attention_mask=attention).last_hidden_state
    return gen.generator_lm_head(gen.generator_predictions(hidden[masked]))


def electra_loss(disc, gen, batch: TensorBatch, disc_weight: float
                 ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    targets = batch.original[batch.masked]
    logits = masked_logits(gen, batch.generator_input, batch.attention, batch.masked)
    gen_loss = F.cross_entropy(logits.float(), targets)

    discriminator_input = batch.discriminator_input.clone()
    with torch.no_grad():
        sample_rows = batch.sample_here[batch.masked]  # which masked positions get a sample
        if sample_rows.any():
            probabilities = torch.softmax(logits[sample_rows].float(), dim=-1)
            samples = torch.multinomial(probabilities, 1).squeeze(1)
            discriminator_input[batch.sample_here] = samples
    labels = (discriminator_input != batch.original) & batch.real
    scores = disc(input_ids=discriminator_input, attention_mask=batch.attention).logits
    disc_loss = F.binary_cross_entropy_with_logits(scores[batch.real].float(),
                                                   labels[batch.real].float())
    with torch.no_grad():
        gen_accuracy = (logits.argmax(-1) == targets).float().mean()
        flagged = (scores > 0) & batch.real
        true_positive = (flagged & labels).sum()
        # Tensors, not floats: reading them waits for the device, so the loop reads them
        # only every few steps and a GPU's queue stays full in between.
        stats = {
            "gen_loss": gen_loss.detach(),
            "disc_loss": disc_loss.detach(),
            "gen_acc": gen_accuracy,
            "disc_p": true_positive / flagged.sum().clamp(min=1),
            "disc_r": true_positive / labels.sum().clamp(min=1),
        }
    return gen_loss + disc_weight * disc_loss, stats
