import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App />);
// No service worker: the shell is small and cached by HTTP (hashed assets are immutable),
// and private media must never sit in a worker cache.
