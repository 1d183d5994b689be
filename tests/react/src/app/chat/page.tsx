import { useState } from 'react';
import { useChatTracking } from '@/lib/tracking-hooks';
import { report } from '../../results';

/** The seed's chat page: each answer tracked, then the user's thumbs down with a comment. */
export default function ChatPage() {
  const { trackChat, trackFeedback } = useChatTracking('support', 'Support bot');
  const [interactionId, setInteractionId] = useState('');
  const ask = async () => {
    try {
      const id = await trackChat('Where is my order?', 'On its way.', 840, 'gpt-x', 'en');
      report('chat', id);
      setInteractionId(id);
    } catch (error) {
      report('error', String(error));
    }
  };
  const rate = async () => {
    try {
      report('feedback', await trackFeedback(interactionId, false, 'Too vague'));
    } catch (error) {
      report('error', String(error));
    }
  };
  return (
    <section>
      <h1>Chat</h1>
      <button id="ask" onClick={ask}>Ask</button>
      {interactionId ? <button id="rate" onClick={rate}>Not helpful</button> : null}
    </section>
  );
}
