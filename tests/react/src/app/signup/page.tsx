import { identify, useEventTracking } from '@/lib/tracking-hooks';
import { report } from '../../results';

/** The seed's sign-up page: a signup event, then the new user identified. */
export default function SignupPage() {
  const { trackEvent } = useEventTracking();
  const signUp = async () => {
    try {
      report('signup', await trackEvent('auth', 'signup', { plan: 'pro' }, true, null));
      report('identify', await identify('user-9', { plan: 'pro' }));
    } catch (error) {
      report('error', String(error));
    }
  };
  return <section><h1>Sign up</h1><button id="signup" onClick={signUp}>Create account</button></section>;
}
