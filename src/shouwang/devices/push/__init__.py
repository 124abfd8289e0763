"""HTTP push entry points: our generic signed JSON (generic.py), China Mobile OneNET's data push
(onenet.py) and China Telecom CTWing's subscription push (ctwing.py). Each authenticates the
message and turns it into readings; api.py answers, counts and logs."""
